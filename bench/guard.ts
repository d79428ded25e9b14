/**
 * The guard's scan against git's own `git diff --cached` and against
 * secretlint on the same staged files, in the same run.
 *
 *   bun bench/guard.ts [path/to/iclaude]      (default dist/iclaude)
 *
 * Builds a repository with 1,000 staged files (about 20 MB of source-like
 * text) and a few planted secrets, in a HOME with a Claude login (the guard
 * reads it for the user's own tokens, as on a real machine), then times the
 * pre-commit hook `iclaude hooks install` wrote, as git runs it (sh, the stub,
 * the binary), `git diff --cached` and `secretlint` (npm `secretlint` +
 * `@secretlint/secretlint-rule-preset-recommend`, pinned below) over the same
 * files. A second repository stages a one-line change: there the guard's cost
 * is its start-up, against git's own `git diff --cached` of that commit.
 * secretlint is installed on first use into node_modules/.cache, so the
 * product carries no scanner of its own.
 * Exits 1 if a detection claim fails: both must find the API keys, and only
 * iclaude the OAuth tokens.
 *
 * A last measurement edits every working copy after staging, so that no file
 * can be cleared from the working tree and git must diff all of them: the
 * guard's worst case for the same commit.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median } from "./common.ts";

const ROOT = resolve(import.meta.dir, "..");
const BIN = resolve(process.argv[2] ?? join(ROOT, "dist", "iclaude"));
const SECRETLINT = { secretlint: "13.0.6", "@secretlint/secretlint-rule-preset-recommend": "13.0.7" };
const CACHE = join(ROOT, "node_modules", ".cache", "iclaude-bench-secretlint");
const FILES = 1000;
const FILE_BYTES = 20_000;
const RUNS = 7;

/** Deterministic text, so every run scans the same bytes. */
let seed = 42;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const WORDS = ["value", "config", "handler", "request", "result", "index", "buffer", "parse", "token", "client", "render", "state"];
const word = (): string => WORDS[Math.floor(random() * WORDS.length)] as string;
const body = (n: number): string => Array.from({ length: n }, () => ALPHABET[Math.floor(random() * 64)]).join("");
const planted = (kind: string): string => `sk-ant-${kind}-${body(93)}AA`;

function sourceFile(i: number): string {
  const lines: string[] = [`// generated module ${i}`];
  let size = 0;
  while (size < FILE_BYTES) {
    const line = `export function ${word()}${Math.floor(random() * 1e6)}(${word()}: string) { return ${word()}.${word()}("${body(24)}", ${Math.floor(random() * 1e4)}); }`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join("\n")}\n`;
}

async function run(argv: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const start = performance.now();
  const proc = Bun.spawn(argv, { cwd, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr, ms: performance.now() - start };
}

/** What git gives a commit hook. */
const IN_HOOK = { GIT_INDEX_FILE: ".git/index" };

/** The hook as git runs it: `iclaude hooks install`'s stub (sh, then the binary), in the repository's top. */
async function installHook(repo: string, env: Record<string, string>): Promise<string[]> {
  const installed = await run([BIN, "hooks", "install"], repo, env);
  if (installed.code !== 0) throw new Error(`iclaude hooks install failed: ${installed.stderr}`);
  return [join(repo, ".git", "hooks", "pre-commit")];
}

async function timeRuns(argv: string[], cwd: string, env: Record<string, string>, n: number): Promise<number[]> {
  await run(argv, cwd, env);
  const runs: number[] = [];
  for (let i = 0; i < n; i++) runs.push((await run(argv, cwd, env)).ms);
  return runs;
}

/** A one-line commit, interleaved so that load on the machine weighs on both alike. */
async function oneLineCommit(env: Record<string, string>): Promise<{ guard: number; git: number; bare: number }> {
  const repo = join(home, "small");
  mkdirSync(repo);
  await run(["git", "init", "-q"], repo, env);
  writeFileSync(join(repo, "a.txt"), "one line\n");
  await run(["git", "add", "a.txt"], repo, env);
  const hook = await installHook(repo, env);
  const guard: number[] = [];
  const git: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) {
    guard.push(...(await timeRuns(hook, repo, { ...env, ...IN_HOOK }, 5)));
    git.push(...(await timeRuns(["git", "diff", "--cached"], repo, env, 5)));
    bare.push(...(await timeRuns([BIN, "--version"], repo, env, 5)));
  }
  return { guard: median(guard), git: median(git), bare: median(bare) };
}

async function ensureSecretlint(): Promise<string> {
  const bin = join(CACHE, "node_modules", ".bin", "secretlint");
  if (existsSync(bin)) return bin;
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, "package.json"), JSON.stringify({ private: true }));
  const specs = Object.entries(SECRETLINT).map(([name, version]) => `${name}@${version}`);
  const installed = await run(["npm", "install", "--no-audit", "--no-fund", "--silent", ...specs], CACHE, { ...process.env } as Record<string, string>);
  if (installed.code !== 0) throw new Error(`npm install of secretlint failed: ${installed.stderr}`);
  return bin;
}

const home = mkdtempSync(join(tmpdir(), "iclaude-bench-guard-"));
try {
  const repo = join(home, "repo");
  mkdirSync(join(repo, "src"), { recursive: true });
  const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), GIT_CONFIG_NOSYSTEM: "1", NO_COLOR: "1" };
  // A Claude login, as on every machine the guard runs on: the guard reads it to find the user's own tokens.
  mkdirSync(join(home, ".claude"));
  const login = {
    accessToken: planted("oat01"),
    refreshToken: planted("ort01"),
    expiresAt: Date.now() + 5 * 3600_000,
    scopes: ["user:inference", "user:profile"],
    subscriptionType: "max",
  };
  writeFileSync(join(home, ".claude", ".credentials.json"), JSON.stringify({ claudeAiOauth: login }), { mode: 0o600 });
  const hookEnv = { ...env, ...IN_HOOK };
  const secrets = { api: [planted("api03"), planted("api03")], oauth: [planted("oat01"), planted("ort01")] };
  const plantAt = new Map([
    [17, secrets.api[0]],
    [333, secrets.oauth[0]],
    [500, secrets.api[1]],
    [871, secrets.oauth[1]],
  ]);
  let bytes = 0;
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    let text = sourceFile(i);
    const secret = plantAt.get(i);
    if (secret) text += `const key = "${secret}";\n`;
    const path = `src/module${i}.ts`;
    writeFileSync(join(repo, path), text);
    paths.push(path);
    bytes += text.length;
  }
  await run(["git", "init", "-q"], repo, env);
  await run(["git", "add", "."], repo, env);
  const hook = await installHook(repo, env);

  const timeGuard = async (): Promise<{ last: Awaited<ReturnType<typeof run>>; runs: number[] }> => {
    const runs: number[] = [];
    let last = await run(hook, repo, hookEnv);
    for (let i = 0; i < RUNS; i++) {
      last = await run(hook, repo, hookEnv);
      runs.push(last.ms);
    }
    return { last, runs };
  };
  const { last: guard, runs: guardRuns } = await timeGuard();
  const gitDiffRuns = await timeRuns(["git", "diff", "--cached"], repo, env, RUNS);
  const small = await oneLineCommit(env);

  const secretlint = await ensureSecretlint();
  writeFileSync(join(repo, ".secretlintrc.json"), JSON.stringify({ rules: [{ id: "@secretlint/secretlint-rule-preset-recommend" }] }));
  const lintArgs = [secretlint, "--secretlintrc", ".secretlintrc.json", "--format", "json", ...paths];
  const lintRuns: number[] = [];
  let lint = await run(lintArgs, repo, env);
  for (let i = 0; i < 3; i++) {
    lint = await run(lintArgs, repo, env);
    lintRuns.push(lint.ms);
  }

  for (const path of paths) appendFileSync(join(repo, path), "// edited after staging\n");
  const { last: worst, runs: worstRuns } = await timeGuard();

  const reported = (JSON.parse(lint.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string }> }>).filter((r) => r.messages.length > 0);
  const lintFound = (i: number) => reported.some((r) => r.filePath.endsWith(`/src/module${i}.ts`));
  const guardFound = (s: string) => guard.stderr.includes(`${s.slice(0, 13)}…${s.slice(-4)}`);
  const checks = [
    ["iclaude blocks the commit (exit 1)", guard.code === 1],
    ["iclaude blocks it with every working copy edited", worst.code === 1 && worst.stderr === guard.stderr],
    ["iclaude finds both API keys", secrets.api.every(guardFound)],
    ["iclaude finds both OAuth tokens", secrets.oauth.every(guardFound)],
    ["secretlint finds both API keys", lintFound(17) && lintFound(500)],
    ["secretlint finds neither OAuth token", !lintFound(333) && !lintFound(871)],
  ] as const;

  const g = median(guardRuns);
  const l = median(lintRuns);
  const d = median(gitDiffRuns);
  console.log(`guard scan: ${FILES} staged files, ${(bytes / 1e6).toFixed(1)} MB, ${plantAt.size} planted secrets (2 API keys, 2 OAuth tokens)`);
  console.log(`  the pre-commit hook            median ${g.toFixed(0)} ms, best ${Math.min(...guardRuns).toFixed(0)} ms of ${RUNS}`);
  console.log(`  git diff --cached              median ${d.toFixed(0)} ms: the guard takes ${(g / d).toFixed(2)}x git's time`);
  console.log(
    `one-line commit: guard median ${small.guard.toFixed(1)} ms, git diff --cached ${small.git.toFixed(1)} ms: +${(small.guard - small.git).toFixed(1)} ms, ${(small.guard / small.git).toFixed(1)}x`,
  );
  console.log(`  for scale, the binary's bare start-up (iclaude --version) ${small.bare.toFixed(1)} ms, in the same rounds`);
  console.log(`  secretlint (preset-recommend)  median ${l.toFixed(0)} ms, best ${Math.min(...lintRuns).toFixed(0)} ms of 3`);
  console.log(`  ratio of medians               ${(l / g).toFixed(1)}x faster (load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores)`);
  console.log(`  worst case, all copies edited  median ${median(worstRuns).toFixed(0)} ms (${(l / median(worstRuns)).toFixed(1)}x faster than secretlint)`);
  for (const [what, ok] of checks) console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
} finally {
  rmSync(home, { recursive: true, force: true });
}
