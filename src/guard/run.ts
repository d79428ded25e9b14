import { readFileSync } from "node:fs";
import type { Config } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { IclaudeError } from "../base/errors.ts";
import { type AgentSign, detectAgent, skipSwitch } from "./agents.ts";
import { type StagedChanges, stagedBlob, stagedChanges, stagedDiff } from "./git.ts";
import { lfsObjectDiffs, lfsPointers } from "./lfs.ts";
import { type Located, locate, readMarker, writeMarker } from "./pass-marker.ts";
import { pathTokenFindings, protectedPathFindings } from "./path-findings.ts";
import { filesToDiff } from "./prefilter.ts";
import { maskAll } from "./rules/index.ts";
import { onlyPublicPem } from "./rules/paths.ts";
import { type Finding, keywords, scanDiff, scanText } from "./scan.ts";

/** `git commit` runs the first three; `git am` and `git rebase --apply` the last two. */
export const HOOK_NAMES = ["pre-commit", "prepare-commit-msg", "commit-msg", "applypatch-msg", "pre-applypatch"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** Hooks that run with the changes staged, and hooks handed the message file. */
const SCANS_STAGED: ReadonlySet<HookName> = new Set(["pre-commit", "prepare-commit-msg", "pre-applypatch"]);
const READS_MESSAGE: ReadonlySet<HookName> = new Set(["prepare-commit-msg", "commit-msg", "applypatch-msg"]);

/** Called, before the scan, when an agent commits at a moment a prompt would refresh: the command starts a refresh the commit never waits for. */
export type TopUp = () => void;

export interface GuardResult {
  /** `verified`: prepare-commit-msg found that pre-commit passed these very changes. */
  outcome: "passed" | "blocked" | "skipped" | "verified";
  findings: Finding[];
  agent: AgentSign | null;
  /** A skip switch that was set: honoured for a person, ignored for an agent. */
  skip: string | null;
  /** prepare-commit-msg had to scan: pre-commit did not pass these changes (`--no-verify`). */
  late: boolean;
}

/** What the message's findings are shown under, and what `[guard] allow` patterns see as their path. */
const MESSAGE = "commit message";
/** A certificate bundle is read whole up to this size to tell it holds no private key. */
const MAX_PEM_BYTES = 1024 * 1024;

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
 * The user's own tokens, to find them by exact value whatever their shape;
 * held in memory only. The credential code is loaded here, once git is running.
 */
async function ownTokens(config: Config, env: Env): Promise<string[]> {
  try {
    const { heldTokens } = await import("../credentials/assessment.ts");
    return heldTokens(config, env);
  } catch {
    return [];
  }
}

/** An agent has no prompt of its own: its commit starts the refresh a prompt would (none for a token from the environment). */
async function topUpIfDue(config: Config, env: Env, topUp: TopUp): Promise<void> {
  if (env.CLAUDE_CODE_OAUTH_TOKEN) return;
  const { isCheckDue } = await import("../refresh/check-due.ts");
  if (isCheckDue(config)) topUp();
}

interface Staged extends Located {
  staged: StagedChanges;
}

/** Both git questions at once; outside a repository, rev-parse's failure is the one reported. */
function askGit(env: Env): Promise<Staged> {
  const located = locate(env);
  const changes = stagedChanges();
  changes.catch(() => {});
  return located.then(async ({ marker, top }) => ({ marker, top, staged: await changes }));
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

/**
 * Runs one hook's check. pre-commit and pre-applypatch scan the staged
 * changes; commit-msg and applypatch-msg the message; prepare-commit-msg,
 * which git runs even under `--no-verify`, the message as it stands (`-m`,
 * `-F`, a merge's) and the staged changes unless pre-commit passed these very
 * changes. git is asked first: its processes run while the config and the
 * credentials are read.
 */
export async function runGuard(hook: HookName, loadingConfig: Promise<Config>, env: Env, messageFile: string | undefined, topUp: TopUp): Promise<GuardResult> {
  const agent = detectAgent(env);
  const skip = skipSwitch(env);
  if (skip && !agent) return { outcome: "skipped", findings: [], agent, skip, late: false };
  const asked = SCANS_STAGED.has(hook) ? askGit(env) : null;
  asked?.catch(() => {});
  const config = await loadingConfig;
  const allow = compileAllow(config);
  const own = await ownTokens(config, env);
  const message = READS_MESSAGE.has(hook) ? readMessage(messageFile) : null;
  const findings = message === null ? [] : await scanText(message, MESSAGE, { ownTokens: own, allow });
  let late = false;
  if (asked) {
    const tree = await scanStaged(await asked, hook, config, agent, allow, own, agent ? () => topUpIfDue(config, env, topUp) : null);
    if (tree === "verified" && findings.length === 0) return { outcome: "verified", findings, agent, skip, late };
    if (tree !== "verified") findings.push(...tree);
    late = hook === "prepare-commit-msg" && tree !== "verified" && tree.length > 0;
  }
  const shown = findings.map((f) => ({ ...f, path: maskAll(f.path, own) }));
  return { outcome: shown.length ? "blocked" : "passed", findings: shown, agent, skip, late };
}

/** The staged changes' findings, or `verified` when prepare-commit-msg finds pre-commit's pass for them. */
async function scanStaged(
  { marker, top, staged }: Staged,
  hook: HookName,
  config: Config,
  agent: AgentSign | null,
  allow: RegExp[],
  own: string[],
  topUp: (() => Promise<void>) | null,
): Promise<Finding[] | "verified"> {
  const strict = agent !== null || config.guard.strictForHumans;
  const late = hook === "prepare-commit-msg";
  const key = `${staged.id} ${strict ? "strict" : "secrets"}\n`;
  if (late && readMarker(marker) === key) {
    writeMarker(marker, null);
    return "verified";
  }
  await topUp?.();
  const words = keywords(own);
  const diff = await diffToScan(staged, top, words);
  const blobs = new Map(staged.files.map((f) => [f.path, f.blob]));
  const readBlob = (path: string, limit: number): Promise<string | null> => {
    const id = blobs.get(path);
    return id === undefined ? Promise.resolve(null) : stagedBlob(id, limit);
  };
  const publicOnly = async (path: string) => onlyPublicPem((await readBlob(path, MAX_PEM_BYTES)) ?? "");
  const paths = staged.files.map((f) => f.path);
  const options = { ownTokens: own, allow };
  const findings = [
    ...(await protectedPathFindings(paths, strict ? config.guard.protectedPaths : [], allow, publicOnly)),
    ...pathTokenFindings(paths, own, allow),
    ...(await scanDiff(diff, { ...options, readBlob })),
  ];
  for (const object of await lfsObjectDiffs(lfsPointers(diff), words)) {
    const found = await scanDiff(object.diff, { ...options, readBlob: async () => object.text() });
    findings.push(...found.map((f) => ({ ...f, label: `${f.label} (in the Git LFS object)` })));
  }
  writeMarker(marker, findings.length === 0 && hook === "pre-commit" ? key : null);
  return findings;
}
