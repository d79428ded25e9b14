import { lstatSync, type Stats, statSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import { homeOf } from "./env.ts";
import { EXIT, IclaudeError } from "./errors.ts";

/** The state file holding the long-lived token of `config`'s profile: it is handed to claude, so its trust decides the state dir's. */
export const longLivedFile = (config: Partial<Pick<Config, "profileSuffix">>): string => `long-lived-token${config.profileSuffix ?? ""}.json`;

/** A path's stats, or null when there is nothing there (a file where a directory should be included). */
export function statOrNull(path: string, follow = true): Stats | null {
  try {
    return (follow ? statSync : lstatSync)(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

/**
 * The mode of a directory every user can write to (anyone could put files of their own in it, and a
 * Claude Code config dir's credentials would be used); null for any other path.
 */
export function openToEveryone(dir: string): string | null {
  const stats = statOrNull(dir);
  return stats?.isDirectory() && stats.mode & 0o002 ? (stats.mode & 0o7777).toString(8) : null;
}

/**
 * Who may own iclaude's state: the user running it, and — for root run over
 * another user's HOME — that user, whose state it is.
 */
function trustedOwner(uid: number): boolean {
  const self = process.getuid?.();
  if (self === undefined || uid === self) return true;
  if (self !== 0) return false;
  return statOrNull(homeOf())?.uid === uid;
}

/** Why a state dir or file cannot be trusted (another user could have planted what is in it); null when it can. */
export function untrusted(what: string, uid: number, mode: number): string | null {
  if (!trustedOwner(uid)) return `${what} belongs to another user (uid ${uid})`;
  if (mode & 0o022) return `${what} can be written by other users (mode ${(mode & 0o7777).toString(8)})`;
  return null;
}

/**
 * Why iclaude's state dir, or the long-lived token in it, cannot be trusted,
 * as the start of a sentence; null when they can, or do not exist yet.
 */
export function stateTrustProblem(config: Pick<Config, "stateDir"> & Partial<Pick<Config, "profileSuffix">>): string | null {
  const dir = statOrNull(config.stateDir);
  if (!dir) return null;
  if (!dir.isDirectory()) return `iclaude's state dir ${config.stateDir} is not a directory`;
  const problem = untrusted(`iclaude's state dir ${config.stateDir}`, dir.uid, dir.mode);
  if (problem) return problem;
  const path = join(config.stateDir, longLivedFile(config));
  const token = statOrNull(path, false);
  if (token?.isSymbolicLink()) return `${path} is a symbolic link`;
  return token ? untrusted(path, token.uid, token.mode) : null;
}

/** The one sentence for a state dir iclaude will not use; `consequence` says what that meant for this run. */
export function stateTrustError(config: Pick<Config, "stateDir"> & Partial<Pick<Config, "profileSuffix">>, consequence: string): IclaudeError | null {
  const problem = stateTrustProblem(config);
  if (!problem) return null;
  return new IclaudeError(
    `${problem}, so iclaude uses nothing in it; ${consequence} — run \`chmod 700 ${config.stateDir}\` if it is yours, or set ICLAUDE_STATE_DIR to a directory of your own.`,
    EXIT.refreshFailed,
  );
}
