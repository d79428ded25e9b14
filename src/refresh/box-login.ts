import { accessSync, constants, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { type Env, homeOf } from "../base/env.ts";
import { describeFsError, EXIT, IclaudeError } from "../base/errors.ts";
import { readTextFile, writePrivateFile } from "../base/fs.ts";
import { CLAUDE } from "../credentials/claude.ts";
import { fileStore } from "../credentials/store/index.ts";

/**
 * A box's login: Claude Code's credentials holding an access token the broker
 * handed over and no refresh token, so the Claude Code there never refreshes
 * (it re-reads the file when its mtime changes) and has nothing it could burn.
 * Written as every credentials write is: under Claude Code's storage lock,
 * through the store's one writer (atomic, 0600, the previous bytes in `.bak`).
 */

export interface BoxTarget {
  /** The box's Claude config dir (what CLAUDE_CONFIG_DIR names there). */
  dir: string;
  /** The box's HOME: without CLAUDE_CONFIG_DIR Claude Code keeps its settings in `~/.claude.json`. */
  home: string;
}

/** What of a login a box may hold: the broker's answer, field by field. */
export interface AccessOnly {
  accessToken: string;
  expiresAt: number | null;
  scopes: string[];
  subscriptionType: string | null;
}

/** The box's config dir: `to`, else the one the box's environment names, as Claude Code there will look. */
export function boxTarget(to: string | undefined, env: Env = process.env): BoxTarget {
  const home = homeOf(env);
  return { dir: resolve(to || CLAUDE.namedConfigDir(env) || CLAUDE.defaultConfigDir(home)), home };
}

type Json = Record<string, unknown>;

/** The JSON object a file holds; {} when there is none, null when it holds something else. */
function jsonObjectIn(text: string | null): Json | null {
  if (text === null) return {};
  try {
    const data: unknown = JSON.parse(text);
    return data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Json) : null;
  } catch {
    return null;
  }
}

const json = (data: Json): Buffer => Buffer.from(`${JSON.stringify(data, null, 2)}\n`, "utf8");

const cannotWrite = (path: string, error: unknown): IclaudeError =>
  new IclaudeError(`Cannot write ${path}: ${describeFsError(error)}; check --to and its permissions.`, EXIT.usage, { cause: error });

/**
 * Claude Code in a fresh HOME starts with its onboarding (a connectivity check, the theme, the
 * login screen) unless its settings say `hasCompletedOnboarding`. A settings file that does not
 * parse is the box owner's and is left alone; the paths returned are those.
 */
function markOnboarded(target: BoxTarget): string[] {
  const skipped: string[] = [];
  for (const path of CLAUDE.settingsPaths(target.dir, target.home)) {
    const settings = jsonObjectIn(readTextFile(path));
    if (settings === null) skipped.push(path);
    else if (settings.hasCompletedOnboarding !== true) {
      try {
        writePrivateFile(path, json({ ...settings, hasCompletedOnboarding: true }));
      } catch (error) {
        throw cannotWrite(path, error);
      }
    }
  }
  return skipped;
}

/** Rewrites the box's credentials when the token changed; true when it did. Other keys (mcpOAuth) are kept. */
function writeAccessOnly(dir: string, login: AccessOnly): boolean {
  const store = fileStore(CLAUDE.credentialsPath(dir));
  const path = store.location;
  const current = jsonObjectIn(store.readBytes()?.toString("utf8") ?? null) ?? {};
  const oauth = current.claudeAiOauth as Json | undefined;
  // A refresh token here is a real login — the host's own file, mounted or synced to by mistake, or a
  // copy that is the same login: sync never takes one away (it would log that login out).
  if (typeof oauth?.refreshToken === "string" && oauth.refreshToken !== "") {
    throw new IclaudeError(
      `${path} holds a login with a refresh token (the host's own, or a copy of it); broker sync never removes one — point --to at the box's own config dir, or move that file away in the box first.`,
      EXIT.usage,
    );
  }
  if (oauth && oauth.accessToken === login.accessToken && oauth.expiresAt === login.expiresAt && !("refreshToken" in oauth)) return false;
  // Picked field by field: the file holds the broker's answer and nothing else of a login.
  const claudeAiOauth = { accessToken: login.accessToken, expiresAt: login.expiresAt, scopes: login.scopes, subscriptionType: login.subscriptionType };
  const bytes = json({ ...current, claudeAiOauth });
  try {
    store.reserveWrite(bytes.length).commit(bytes);
  } catch (error) {
    // A box's dir that cannot be written is a setting to fix (exit 2), not a refresh that failed.
    if (error instanceof IclaudeError && error.cause === undefined) throw new IclaudeError(error.message, EXIT.usage);
    throw cannotWrite(path, error instanceof IclaudeError ? error.cause : error);
  }
  return true;
}

/** As long as iclaude waits for Claude Code's storage lock on its own credentials. */
const STORAGE_LOCK_WAIT_MS = 30_000;

/**
 * Puts `login` into the box's config dir; `changed` is false when it held that token already,
 * `skipped` names the settings files that could not be read as JSON, so onboarding could not be marked there.
 */
export async function storeBoxLogin(target: BoxTarget, login: AccessOnly): Promise<{ changed: boolean; skipped: string[] }> {
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
  // Claude Code in the box writes the credentials too (an MCP login): both take its storage lock around the rewrite.
  // Onboarding is marked first: a claude started in the box the moment the token lands finds it done.
  const skipped = markOnboarded(target);
  const { withStorageWriteLock } = await import("./locks.ts");
  const changed = await withStorageWriteLock({ claudeConfigDir: target.dir }, STORAGE_LOCK_WAIT_MS, () => writeAccessOnly(target.dir, login));
  return { changed, skipped };
}
