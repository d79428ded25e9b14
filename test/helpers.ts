import { expect } from "bun:test";
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IclaudeError } from "../src/base/errors.ts";
import { claudeTmpDir } from "./fixtures/claude-home.ts";

export const ROOT = resolve(import.meta.dir, "..");
/** The compiled binary under test; ICLAUDE_TEST_BIN points at another build. */
export const BIN = process.env.ICLAUDE_TEST_BIN ?? join(ROOT, "dist", "iclaude");

/** The compiled binary at `bin` (its dir is made): a hard link, as it is 100 MB and a copy per test makes the clean-up slow. */
export function linkBinary(bin: string): string {
  mkdirSync(join(bin, ".."), { recursive: true });
  try {
    linkSync(BIN, bin);
  } catch {
    copyFileSync(BIN, bin);
    chmodSync(bin, 0o755);
  }
  return bin;
}

const homes: string[] = [];

/** Removes every temporary HOME of the run; test/setup.ts calls it once all test files are done. */
export function removeTempHomes(): void {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
}

/** The temporary HOMEs made so far, from the `from`th on. */
export const tempHomesFrom = (from = 0): string[] => homes.slice(from);

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
export function writeCredentials(
  home: string,
  fields: OAuthFields = {},
  extra: Record<string, unknown> = {},
  dir = join(home, ".claude"),
): Record<string, unknown> {
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

/**
 * ICLAUDE_TEST_DELAY_SCALE for every run of the binary (and, through test/setup.ts, for the code under
 * test in-process): the binary's retry back-off, Retry-After waits and lock polling take 1/50 of their
 * time, so "four 503s, then give up" takes milliseconds. Budgets and deadlines are not scaled. A test
 * that proves the real delays passes `ICLAUDE_TEST_DELAY_SCALE: undefined` in its env.
 */
export const DELAY_SCALE = "0.02";

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
    // For a real claude the binary starts: what it leaves behind goes where the run removes it.
    CLAUDE_CODE_TMPDIR: claudeTmpDir(),
    ICLAUDE_TEST_DELAY_SCALE: DELAY_SCALE,
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

/**
 * Waits until `check` holds, looking every 10 ms, for at most `ms`; then fails the test saying what
 * never happened (by default the check's own source). The way a test waits for a file, a line, a
 * request or a process: never a sleep.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 20_000, what: string | (() => string) = String(check)): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() >= end) throw new Error(`waited ${ms / 1000} s, but this never happened: ${typeof what === "string" ? what : what()}`);
    await Bun.sleep(10);
  }
}

/**
 * Pids of the processes whose environment has NAME=VALUE: a shell or a git hook started with a
 * test's own state dir, and whatever it left running detached, which no parent's exit shows.
 */
export function processesWith(name: string, value: string): number[] {
  const mark = `\0${name}=${value}\0`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return `\0${readFileSync(`/proc/${pid}/environ`, "latin1")}`.includes(mark);
      } catch {
        return false;
      }
    })
    .map(Number);
}

export interface Started {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** What it has written to stderr so far. */
  stderr(): string;
  /** Its whole run, once it has exited. */
  done: Promise<Run>;
}

/** Starts the compiled binary and reads its stderr as it comes, for a test that waits for a line before it acts. */
export function startBin(args: string[], options: { home: string; env?: Record<string, string | undefined> }): Started {
  const proc = Bun.spawn([BIN, ...args], { cwd: options.home, env: baseEnv(options.home, options.env), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let stderr = "";
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of proc.stderr) stderr += decoder.decode(chunk, { stream: true });
  })();
  const done = Promise.all([new Response(proc.stdout).text(), reading, proc.exited]).then(([stdout, , code]) => ({ code, stdout, stderr }));
  return { proc, stderr: () => stderr, done };
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

/** `value` when it is there; fails the test, naming `what`, when it is null or undefined. */
export function defined<T>(value: T | null | undefined, what = "a value"): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, found ${String(value)}`);
  return value;
}
