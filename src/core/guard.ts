import { existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { detectAgent, skipSwitch, type AgentSign } from "./agents.ts";
import type { Config } from "./config.ts";
import { assess } from "./current.ts";
import { IclaudeError } from "./errors.ts";
import { git, gitOk, stagedBlob, stagedChanges, stagedDiff, stagedTree, type StagedChanges } from "./git.ts";
import { filesToDiff } from "./prefilter.ts";
import { NEVER_PROTECTED } from "./rules/paths.ts";
import { maskAll, tokenHits } from "./rules/index.ts";
import { keywords, scanDiff, scanText, type Finding } from "./scan.ts";
import { readLongLived } from "./store/long-lived.ts";

export const HOOK_NAMES = ["pre-commit", "prepare-commit-msg", "commit-msg"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

type Env = Record<string, string | undefined>;

export interface GuardResult {
  /** `verified`: prepare-commit-msg found that pre-commit passed this very tree. */
  outcome: "passed" | "blocked" | "skipped" | "verified";
  findings: Finding[];
  agent: AgentSign | null;
  /** A skip switch that was set: honoured for a person, ignored for an agent. */
  skip: string | null;
  /** prepare-commit-msg had to scan: pre-commit did not pass this tree (`--no-verify`). */
  late: boolean;
}

/** Written by a passing pre-commit, read once by prepare-commit-msg, which git runs even under `--no-verify`. */
const MARKER = "iclaude-guard-passed";

/** The `[guard] allow` patterns, compiled; a bad one is named, with the file to fix. */
export function compileAllow(config: Pick<Config, "guard" | "configPath">): RegExp[] {
  return config.guard.allow.map((source) => {
    try {
      return new RegExp(source);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new IclaudeError(`The config file ${config.configPath} has a bad value — "guard.allow": "${source}" is not a regular expression (${reason}).`);
    }
  });
}

/**
 * gitignore's reading of a pattern, which users already know: without a slash
 * it matches a name at any depth, with one the path from the root; a trailing
 * slash means everything under that directory. Case is ignored (see paths.ts).
 */
function pathMatcher(pattern: string): (path: string) => boolean {
  const core = pattern.toLowerCase().replace(/^\//, "").replace(/\/$/, "");
  const anchored = pattern.startsWith("/") || core.includes("/");
  const glob = new Bun.Glob(`${anchored ? "" : "**/"}${core}${pattern.endsWith("/") ? "/**" : ""}`);
  return (path) => glob.match(path.toLowerCase());
}

/** Staged paths an agent may not commit; templates and public keys never count. */
export function protectedPathFindings(paths: readonly string[], patterns: readonly string[], allow: readonly RegExp[]): Finding[] {
  const matchers = patterns.map((p) => [p, pathMatcher(p)] as const);
  return paths.flatMap((path) => {
    const hit = NEVER_PROTECTED.test(path) ? undefined : matchers.find(([, match]) => match(path));
    if (!hit || allow.some((re) => re.test(path))) return [];
    return [{ id: "protected-path", label: `protected path (${hit[0]})`, shown: "", allowable: true, source: "path" as const, path, line: null }];
  });
}

/** A token used as a file or directory name: the diff's headers are never scanned, so the paths are, here. */
export function pathTokenFindings(paths: readonly string[], ownTokens: readonly string[], allow: readonly RegExp[]): Finding[] {
  return paths.flatMap((path) =>
    tokenHits(path, ownTokens)
      .filter((hit) => !hit.allowable || !allow.some((re) => re.test(path)))
      .map((hit) => ({ ...hit, label: `${hit.label} in the file name`, source: "path" as const, path, line: null })),
  );
}

/**
 * The commit message as git will record it: everything above the scissors
 * line of `commit -v`. Comment lines stay: with `-m` git keeps them.
 */
function readMessage(file: string | undefined): string | null {
  if (!file) return null;
  try {
    const text = readFileSync(file, "utf8");
    const scissors = text.search(/^# -{24} >8 -{24}$/m);
    return scissors === -1 ? text : text.slice(0, scissors);
  } catch {
    return null;
  }
}

interface OwnTokens {
  tokens: string[];
  refreshDue: boolean;
}

/** The user's own tokens, to find them by exact value whatever their shape; held in memory only. */
function ownTokens(config: Config, env: Env): OwnTokens {
  try {
    const a = assess(config, { ...env, CLAUDE_CODE_OAUTH_TOKEN: undefined });
    const tokens = [env.CLAUDE_CODE_OAUTH_TOKEN, a.accessToken, a.stored?.file?.claudeAiOauth?.refreshToken, readLongLived(config)?.token];
    return { tokens: tokens.filter((t): t is string => typeof t === "string"), refreshDue: a.status === "refresh-due" && !env.CLAUDE_CODE_OAUTH_TOKEN };
  } catch {
    return { tokens: [], refreshDue: false };
  }
}

/** Keeps an agent's Claude session alive: a detached refresh that the commit never waits for. */
function topUp(): void {
  try {
    Bun.spawn([process.execPath, "refresh", "--background"], { stdio: ["ignore", "ignore", "ignore"], detached: true }).unref();
  } catch {
    // The commit must not fail because a refresh could not start; the next prompt or launch refreshes.
  }
}

function readMarker(path: string): string | null {
  try {
    return existsSync(path) ? readFileSync(path, "utf8") : null;
  } catch {
    return null;
  }
}

function writeMarker(path: string, value: string | null): void {
  try {
    if (value === null) unlinkSync(path);
    else writeFileSync(path, value);
  } catch {
    // Without a marker prepare-commit-msg scans again: slower, never less safe.
  }
}

/** Where the pass marker lives, and the working tree's top (null without one). */
async function locate(): Promise<{ marker: string; top: string | null }> {
  const both = await git(["rev-parse", "--git-path", MARKER, "--show-toplevel"]);
  if (both.code === 0) {
    const [marker = "", top = ""] = both.stdout.split("\n");
    return { marker: resolve(marker), top };
  }
  // Outside a repository rev-parse's own words are the error.
  return { marker: resolve((await gitOk(["rev-parse", "--git-path", MARKER], "find the git directory")).trim()), top: null };
}

/**
 * Above this many files the diff is asked for whole: git matches every index
 * entry against every pathspec, and the argument list has a limit.
 */
const MAX_PATHSPEC_FILES = 128;

/**
 * The part of the staged diff that can hold a finding: only the files the
 * prefilter could not clear. Without a working tree, with a path git cannot
 * be given back exactly, or with many files left, the whole diff.
 */
async function diffToScan(staged: StagedChanges, top: string | null, needles: readonly string[]): Promise<Buffer> {
  const left = top === null || !staged.exact ? null : filesToDiff(top, staged.files, needles, MAX_PATHSPEC_FILES);
  if (left === null) return stagedDiff();
  if (left.length === 0) return Buffer.alloc(0);
  return stagedDiff(left.flatMap((f) => (f.source === null ? [f.path] : [f.path, f.source])));
}

/** The message's own findings, for the hooks git hands it to. */
const MESSAGE = "commit message";

/**
 * Runs one hook's check. pre-commit scans the staged changes; commit-msg the
 * message; prepare-commit-msg, which git runs even under `--no-verify`, the
 * message as it stands (`-m`, `-F`, a merge's) and the staged changes unless
 * pre-commit passed this very tree.
 */
export async function runGuard(hook: HookName, config: Config, env: Env = process.env, messageFile?: string): Promise<GuardResult> {
  const agent = detectAgent(env);
  const skip = skipSwitch(env);
  if (skip && !agent) return { outcome: "skipped", findings: [], agent, skip, late: false };
  const allow = compileAllow(config);
  let memo: OwnTokens | undefined;
  const own = (): OwnTokens => (memo ??= ownTokens(config, env));
  const message = hook === "pre-commit" ? null : readMessage(messageFile);
  const messageFindings = message === null ? [] : scanText(message, MESSAGE, { ownTokens: own().tokens, allow });
  if (hook === "commit-msg") return finish(messageFindings, agent, skip, false, own().tokens);
  const tree = await scanTree(hook, config, agent, allow, own);
  if (tree.verified && messageFindings.length === 0) return { outcome: "verified", findings: [], agent, skip, late: false };
  return finish([...messageFindings, ...tree.findings], agent, skip, tree.findings.length > 0 && hook === "prepare-commit-msg", memo?.tokens ?? []);
}

function finish(findings: Finding[], agent: AgentSign | null, skip: string | null, late: boolean, own: readonly string[]): GuardResult {
  const shown = findings.map((f) => ({ ...f, path: maskAll(f.path, own) }));
  return { outcome: findings.length ? "blocked" : "passed", findings: shown, agent, skip, late };
}

/** The staged changes' findings; `verified` when prepare-commit-msg finds pre-commit's pass for this tree. */
async function scanTree(hook: HookName, config: Config, agent: AgentSign | null, allow: RegExp[], ownOnce: () => OwnTokens): Promise<{ findings: Finding[]; verified: boolean }> {
  const strict = agent !== null || config.guard.strictForHumans;
  const late = hook === "prepare-commit-msg";
  const located = locate();
  const all = Promise.all([located, stagedTree(), stagedChanges()]);
  all.catch(() => {});
  await located;
  const [{ marker, top }, tree, staged] = await all;
  const key = tree === null ? null : `${tree} ${strict ? "strict" : "secrets"}\n`;
  if (late && key !== null && readMarker(marker) === key) {
    writeMarker(marker, null);
    return { findings: [], verified: true };
  }
  const own = ownOnce();
  if (agent && own.refreshDue) topUp();
  const diff = await diffToScan(staged, top, keywords(own.tokens));
  const paths = staged.files.map((f) => f.path);
  const findings = [
    ...protectedPathFindings(paths, strict ? config.guard.protectedPaths : [], allow),
    ...pathTokenFindings(paths, own.tokens, allow),
    ...(await scanDiff(diff, { ownTokens: own.tokens, allow, readBlob: stagedBlob })),
  ];
  writeMarker(marker, findings.length === 0 && !late ? key : null);
  return { findings, verified: false };
}
