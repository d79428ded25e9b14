import { expect } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IclaudeError } from "../src/base/errors.ts";

export const ROOT = resolve(import.meta.dir, "..");
/** The compiled binary under test; ICLAUDE_TEST_BIN points at another build. */
export const BIN = process.env.ICLAUDE_TEST_BIN ?? join(ROOT, "dist", "iclaude");

const homes: string[] = [];

/** Removes every temporary HOME of the run; test/setup.ts calls it once all test files are done. */
export function removeTempHomes(): void {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
}

/** A fresh HOME, removed when the test run ends. */
export function tempHome(prefix = "iclaude-"): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  homes.push(home);
  return home;
}

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** A token of the real shape: `sk-ant-oat01-` + 95 url-safe characters ending in AA. */
export function fakeToken(kind: "oat01" | "ort01" | "api03" | "admin01" = "oat01"): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let body = "";
  for (let i = 0; i < 93; i++) body += alphabet[Math.floor(Math.random() * alphabet.length)];
  return `sk-ant-${kind}-${body}AA`;
}

export interface OAuthFields {
  accessToken?: string;
  refreshToken?: string | null;
  expiresAt?: number;
  refreshTokenExpiresAt?: number;
  scopes?: string[];
  subscriptionType?: string;
  [key: string]: unknown;
}

/** Writes Claude Code's credentials file (mode 0600) and returns its content. */
export function writeCredentials(home: string, fields: OAuthFields = {}, extra: Record<string, unknown> = {}, dir = join(home, ".claude")): Record<string, unknown> {
  const oauth: Record<string, unknown> = {
    accessToken: fakeToken("oat01"),
    refreshToken: fakeToken("ort01"),
    expiresAt: Date.now() + 5 * HOUR,
    scopes: ["user:inference", "user:profile", "user:sessions:claude_code"],
    subscriptionType: "max",
    ...fields,
  };
  if (oauth.refreshToken === null) delete oauth.refreshToken;
  const content = { claudeAiOauth: oauth, ...extra };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ".credentials.json"), JSON.stringify(content), { mode: 0o600 });
  chmodSync(join(dir, ".credentials.json"), 0o600);
  return content;
}

/** The allow-listed environment a test runs the binary with: nothing of the developer's leaks in. */
export function baseEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    HOME: home,
    PATH: "/usr/local/bin:/usr/bin:/bin",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
    NO_COLOR: "1",
    USER: "tester",
    TMPDIR: tmpdir(),
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled binary as a user would. */
export async function runBin(
  args: string[],
  options: { home: string; env?: Record<string, string | undefined>; stdin?: string; cwd?: string; timeoutMs?: number; argv?: (argv: string[]) => string[] },
): Promise<Run> {
  // `timeoutMs` bounds a run that must not hang: a killed run ends with a signal's code, never the one expected.
  const proc = Bun.spawn((options.argv ?? ((a) => a))([BIN, ...args]), {
    timeout: options.timeoutMs,
    cwd: options.cwd ?? options.home,
    env: baseEnv(options.home, options.env),
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Asserts that none of the secrets appear in any of the texts. */
export function expectNoSecrets(texts: string[], secrets: string[]): void {
  for (const text of texts) {
    for (const secret of secrets) {
      expect(text.includes(secret)).toBe(false);
      expect(text.includes(secret.slice(13, 40))).toBe(false);
    }
  }
}

/** Runs argv as an unprivileged user when the tests run as root, so file permissions bite. */
export function unprivileged(argv: string[]): string[] {
  return process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv] : argv;
}

/** A fake macOS `security` whose Keychain lives in `home` (a wrapper, so no environment is needed). */
export function fakeSecurity(home: string): string {
  const wrapper = join(home, "security");
  const db = join(home, "keychain.json");
  writeFileSync(wrapper, `#!/bin/sh\nFAKE_SECURITY_DB='${db}' exec '${join(ROOT, "test/fixtures/fake-security/security")}' "$@"\n`, { mode: 0o755 });
  return wrapper;
}

/** The IclaudeError `fn` throws; fails the test when it throws nothing or something else. */
export function iclaudeErrorOf(fn: () => unknown): IclaudeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IclaudeError) return error;
    throw error;
  }
  throw new Error("expected an IclaudeError");
}
