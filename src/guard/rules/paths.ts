import type { Samples } from "./shape.ts";

/**
 * Files an agent may not commit, whatever they hold (`[guard] protected_paths`,
 * gitignore's reading: a bare name at any depth, `**` for a path anywhere).
 * Matched without regard to case on every OS: a repository made on Linux is
 * checked out on macOS and Windows, where `.ENV` is `.env`.
 */
export const DEFAULT_PROTECTED_PATHS = [
  ".env",
  ".env.*",
  "*.env",
  ".credentials.json",
  "**/.claude/settings.local.json",
  "**/.codex/auth.json",
  "**/.gemini/oauth_creds.json",
  "*.pem",
  "*.ppk",
  "*.p12",
  "*.pfx",
  "id_rsa*",
  "id_dsa*",
  "id_ecdsa*",
  "id_ed25519*",
  ".netrc",
];

/**
 * Never a protected path: templates, which exist to be committed
 * (`.env.example`), and public keys (`id_rsa.pub`). Their content is still
 * scanned like any file's.
 */
export const NEVER_PROTECTED = /\.(?:example|sample|template|dist|pub)$/i;

export const PATH_SAMPLES: Samples = {
  match: [
    ".env",
    "app/.env.local",
    ".ENV",
    "prod.env",
    "config/secrets.env",
    ".credentials.json",
    "backup/.claude/.credentials.json",
    ".claude/settings.local.json",
    "app/.claude/settings.local.json",
    "home/.codex/auth.json",
    ".gemini/oauth_creds.json",
    "certs/server.pem",
    "keys/work.ppk",
    "id_rsa",
    "deploy/id_ed25519",
    ".netrc",
  ],
  noMatch: [
    ".env.example",
    "app/.env.sample",
    ".env.template",
    "prod.env.dist",
    ".envrc",
    "id_rsa.pub",
    "deploy/id_ed25519.PUB",
    "src/env.ts",
    ".claude/settings.json",
    "auth.json",
    "README.md",
  ],
};
