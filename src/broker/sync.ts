import { accessSync, constants, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Env, homeOf } from "../base/env.ts";
import { describeFsError, EXIT, IclaudeError } from "../base/errors.ts";
import { readFileBytes, readTextFile, writePrivateFile } from "../base/fs.ts";
import { scaledDelay } from "../base/proc.ts";
import { requestToken } from "./client.ts";
import type { TokenAnswer } from "./protocol.ts";

/**
 * Inside a box: Claude Code's `.credentials.json` holding the broker's access
 * token and no refresh token, so the Claude Code there never refreshes (it
 * re-reads the file when its mtime changes) and has nothing it could burn.
 */

export interface SyncTarget {
  /** The box's Claude config dir (what CLAUDE_CONFIG_DIR names there). */
  dir: string;
  /** The box's HOME: without CLAUDE_CONFIG_DIR Claude Code keeps its settings in `~/.claude.json`. */
  home: string;
}

/** The box's config dir: `--to`, else CLAUDE_CONFIG_DIR, else `~/.claude`, as Claude Code there will look. */
export function boxTarget(to: string | undefined, env: Env = process.env): SyncTarget {
  const home = homeOf(env);
  return { dir: resolve(to || env.CLAUDE_CONFIG_DIR || join(home, ".claude")), home };
}

type Json = Record<string, unknown>;

function readJsonObject(path: string): Json | null {
  const text = readTextFile(path);
  if (text === null) return {};
  try {
    const data: unknown = JSON.parse(text);
    return data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Json) : null;
  } catch {
    return null;
  }
}

function write(path: string, data: Json): void {
  try {
    writePrivateFile(path, `${JSON.stringify(data, null, 2)}\n`);
  } catch (error) {
    throw new IclaudeError(`Cannot write ${path}: ${describeFsError(error)}; check --to and its permissions.`, EXIT.usage);
  }
}

function writeBackup(path: string, bytes: Buffer): void {
  try {
    writePrivateFile(path, bytes);
  } catch (error) {
    throw new IclaudeError(`Cannot back up to ${path}: ${describeFsError(error)}; the box's credentials were left as they were.`, EXIT.usage);
  }
}

/** Rewrites the box's credentials when the token changed; true when it did. Other keys (mcpOAuth) are kept. */
function writeCredentials(dir: string, answer: TokenAnswer): boolean {
  const path = join(dir, ".credentials.json");
  const current = readJsonObject(path) ?? {};
  const oauth = current.claudeAiOauth as Json | undefined;
  // A refresh token here is a real login — the host's own file, mounted or synced to by mistake, or a
  // copy that is the same login: sync never takes one away (it would log that login out).
  if (typeof oauth?.refreshToken === "string" && oauth.refreshToken !== "") {
    throw new IclaudeError(
      `${path} holds a login with a refresh token (the host's own, or a copy of it); broker sync never removes one — point --to at the box's own config dir, or move that file away in the box first.`,
      EXIT.usage,
    );
  }
  if (oauth && oauth.accessToken === answer.accessToken && oauth.expiresAt === answer.expiresAt && !("refreshToken" in oauth)) return false;
  // Picked field by field: the file holds the broker's answer and nothing else of a login.
  const claudeAiOauth = { accessToken: answer.accessToken, expiresAt: answer.expiresAt, scopes: answer.scopes, subscriptionType: answer.subscriptionType };
  // As for every credentials write: the previous content, byte for byte, goes to .bak first.
  const previous = readFileBytes(path);
  if (previous !== null) writeBackup(`${path}.bak`, previous);
  write(path, { ...current, claudeAiOauth });
  return true;
}

/**
 * Claude Code in a fresh HOME starts with its onboarding (a connectivity check,
 * the theme, the login screen) unless its settings say `hasCompletedOnboarding`.
 * Those live in `$CLAUDE_CONFIG_DIR/.claude.json`, or `~/.claude.json` when the
 * config dir is `~/.claude`; both are marked then. A file that does not parse
 * is the box owner's and is left alone.
 */
function markOnboarded(target: SyncTarget): string[] {
  const paths = [join(target.dir, ".claude.json")];
  if (resolve(target.dir) === join(resolve(target.home), ".claude")) paths.push(join(target.home, ".claude.json"));
  const skipped: string[] = [];
  for (const path of paths) {
    const settings = readJsonObject(path);
    if (settings === null) skipped.push(path);
    else if (settings.hasCompletedOnboarding !== true) write(path, { ...settings, hasCompletedOnboarding: true });
  }
  return skipped;
}

export interface SyncResult {
  answer: TokenAnswer;
  changed: boolean;
  /** Settings files that could not be read as JSON, so onboarding could not be marked there. */
  skipped: string[];
}

/** As long as iclaude waits for Claude Code's storage lock on its own credentials. */
const STORAGE_LOCK_WAIT_MS = 30_000;

export async function syncOnce(socket: string, profile: string | null, target: SyncTarget): Promise<SyncResult> {
  const answer = await requestToken(socket, profile);
  try {
    mkdirSync(target.dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new IclaudeError(`Cannot make ${target.dir}: ${describeFsError(error)}; check --to and its permissions.`, EXIT.usage);
  }
  // Claude Code's storage lock is made in the dir: one that cannot be written is said as such, not as a lock to wait for.
  try {
    accessSync(target.dir, constants.W_OK);
  } catch (error) {
    throw new IclaudeError(`Cannot write to ${target.dir}: the dir is not writable (${describeFsError(error)}); check --to and its permissions.`, EXIT.usage);
  }
  // Claude Code in the box writes this file too (an MCP login): both take its storage lock around the rewrite.
  // Onboarding is marked first: a claude started in the box the moment the token lands finds it done.
  const skipped = markOnboarded(target);
  const { withStorageWriteLock } = await import("../refresh/locks.ts");
  const changed = await withStorageWriteLock({ claudeConfigDir: target.dir }, STORAGE_LOCK_WAIT_MS, () => writeCredentials(target.dir, answer));
  return { answer, changed, skipped };
}

export interface KeepSynced {
  stop(): void;
}

/**
 * Asks the broker again every `intervalMs` (the broker refreshes what is due,
 * an hour before expiry by default), rewriting the file only when the token
 * changed. A broker that is briefly gone is retried at the next tick.
 */
export function keepSynced(
  socket: string,
  profile: string | null,
  target: SyncTarget,
  intervalMs: number,
  onTick: (result: SyncResult | IclaudeError) => void,
): KeepSynced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      onTick(await syncOnce(socket, profile, target));
    } catch (error) {
      if (!(error instanceof IclaudeError)) throw error;
      onTick(error);
    }
    if (!stopped) timer = setTimeout(tick, scaledDelay(intervalMs));
  };
  timer = setTimeout(tick, scaledDelay(intervalMs));
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
