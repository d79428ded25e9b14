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
  // A key file and its copies (`id_rsa.old`), not a file named after one (`id_rsa_loader.go`). Written
  // out: every launch loads this list with the config, and a first flatMap costs it about 0.3 ms.
  "id_rsa",
  "id_rsa.*",
  "id_dsa",
  "id_dsa.*",
  "id_ecdsa",
  "id_ecdsa.*",
  "id_ecdsa_sk",
  "id_ecdsa_sk.*",
  "id_ed25519",
  "id_ed25519.*",
  "id_ed25519_sk",
  "id_ed25519_sk.*",
  ".netrc",
];

/**
 * Never a protected path: templates, which exist to be committed
 * (`.env.example`), public keys (`id_rsa.pub`), documentation (`docs/.env.md`)
 * and source code (`id_rsa.go`). Their content is still scanned like any file's.
 */
export const NEVER_PROTECTED =
  /\.(?:example|sample|template|dist|pub|md|mdx|markdown|rst|adoc|go|rs|py|rb|js|jsx|mjs|cjs|ts|tsx|java|kt|swift|c|h|cc|cpp|cs|php)$/i;

/** PEM blocks that hold nothing secret: certificates, revocation lists, requests, public keys. */
const PUBLIC_BLOCK = /^(?:TRUSTED |NEW )?(?:CERTIFICATE|X509 CRL|CERTIFICATE REQUEST|PUBLIC KEY)$/;

/** Whether `text` is PEM blocks that are all public (`ca-bundle.pem`): then no protected path, whatever its name. */
export function onlyPublicPem(text: string): boolean {
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1] as string);
  return labels.length > 0 && labels.every((label) => PUBLIC_BLOCK.test(label)) && !text.includes("PRIVATE KEY");
}

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
    "id_rsa.old",
    "backup/ID_ECDSA.bak",
    "deploy/id_ed25519",
    ".env.local",
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
    "src/id_rsa_loader.go",
    "pkg/id_ed25519_test.go",
    "docs/.env.md",
    "lib/id_rsa.ts",
  ],
};
