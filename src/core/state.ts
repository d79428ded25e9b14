import { accessSync, appendFileSync, constants, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config.ts";
import { describeFsError, EXIT, IclaudeError } from "./errors.ts";
import { fingerprint } from "./secrets.ts";
import { writePrivateFile } from "./store/file.ts";

/** iclaude's own state: small files under $ICLAUDE_STATE_DIR, never a secret in clear. */
export const statePath = (config: Pick<Config, "stateDir">, name: string): string => join(config.stateDir, name);

export function ensureStateDir(config: Pick<Config, "stateDir">): void {
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
}

/**
 * Before a refresh token is sent: the state dir must take the cooldown and a
 * refused token's fingerprint, or a dead token would be sent again and again.
 */
export function assertStateWritable(config: Pick<Config, "stateDir">): void {
  try {
    ensureStateDir(config);
    accessSync(config.stateDir, constants.W_OK);
  } catch (error) {
    throw new IclaudeError(
      `Cannot write iclaude's state in ${config.stateDir} (${describeFsError(error)}); nothing was sent — fix its permissions or set ICLAUDE_STATE_DIR.`,
      EXIT.refreshFailed,
    );
  }
}

/** A state file's text; null when it is absent or unreadable (state is advisory, never fatal). */
export function readState(config: Pick<Config, "stateDir">, name: string): string | null {
  try {
    return readFileSync(statePath(config, name), "utf8");
  } catch {
    return null;
  }
}

const DEAD_TOKENS = "dead-refresh-tokens";

/** True when this refresh token was answered `invalid_grant` before: it is never sent again. */
export function isDeadRefreshToken(config: Pick<Config, "stateDir">, token: string): boolean {
  const text = readState(config, DEAD_TOKENS);
  return text !== null && text.split("\n").includes(fingerprint(token));
}

export function rememberDeadRefreshToken(config: Pick<Config, "stateDir">, token: string): void {
  if (isDeadRefreshToken(config, token)) return;
  ensureStateDir(config);
  appendFileSync(statePath(config, DEAD_TOKENS), `${fingerprint(token)}\n`, { mode: 0o600 });
}

const LOG = "iclaude.log";
const LOG_CAP = 256 * 1024;

/** Appends one line to the state log, rotating it to `.1` past its cap. Never fails a run: the log is advisory. */
export function appendStateLog(config: Pick<Config, "stateDir">, line: string): void {
  const path = statePath(config, LOG);
  try {
    ensureStateDir(config);
    if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > LOG_CAP) renameSync(path, `${path}.1`);
    appendFileSync(path, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
  } catch {
    // An unwritable state dir costs the log line, nothing else.
  }
}

const LAST_FAILURE = "last-failure";

/** The last failed refresh: when, which refresh token (by fingerprint), and how it failed. */
export interface LastFailure {
  /** ms since epoch. */
  at: number;
  fingerprint: string;
  kind: string;
}

export function readLastFailure(config: Pick<Config, "stateDir">): LastFailure | null {
  const text = readState(config, LAST_FAILURE);
  if (text === null) return null;
  try {
    const data: unknown = JSON.parse(text);
    if (data && typeof data === "object" && "at" in data && "fingerprint" in data && "kind" in data) {
      const { at, fingerprint: fp, kind } = data;
      if (typeof at === "number" && typeof fp === "string" && typeof kind === "string") return { at, fingerprint: fp, kind };
    }
  } catch {
    // A torn or foreign file is no failure at all: state is advisory.
  }
  return null;
}

export function recordFailure(config: Pick<Config, "stateDir">, refreshToken: string, kind: string, at = Date.now()): void {
  ensureStateDir(config);
  writePrivateFile(statePath(config, LAST_FAILURE), JSON.stringify({ at, fingerprint: fingerprint(refreshToken), kind }));
}

export function clearFailure(config: Pick<Config, "stateDir">): void {
  try {
    unlinkSync(statePath(config, LAST_FAILURE));
  } catch {
    // Already gone.
  }
}

const COOLDOWN_TOLD = "cooldown-told";

/** True once per failed refresh: the first launch inside its cooldown says so, the ones after it do not. */
export function cooldownNoticeDue(config: Pick<Config, "stateDir">): boolean {
  const failure = readLastFailure(config);
  if (!failure) return true;
  if (readState(config, COOLDOWN_TOLD)?.trim() === String(failure.at)) return false;
  try {
    writePrivateFile(statePath(config, COOLDOWN_TOLD), `${failure.at}\n`);
  } catch {
    // Advisory: at worst the line comes again at the next launch.
  }
  return true;
}

const DECLINED = "setup-token-declined";
const DAY_MS = 86_400_000;

/** A person said no to `claude setup-token` for an expiring login: not asked again for a day. */
export function rememberDecline(config: Pick<Config, "stateDir">, at = Date.now()): void {
  ensureStateDir(config);
  writePrivateFile(statePath(config, DECLINED), `${at}\n`);
}

export function declinedRecently(config: Pick<Config, "stateDir">, now = Date.now()): boolean {
  const at = Number(readState(config, DECLINED));
  return Number.isFinite(at) && at > 0 && now - at < DAY_MS;
}

const LAUNCH_OFFER = "launch-offer";

/** The launcher offers the long-lived fallback at a terminal at most once a day. */
export function launchOfferDue(config: Pick<Config, "stateDir">, now = Date.now()): boolean {
  const at = Number(readState(config, LAUNCH_OFFER));
  return !(Number.isFinite(at) && at > 0 && now - at < DAY_MS);
}

export function rememberLaunchOffer(config: Pick<Config, "stateDir">, at = Date.now()): void {
  try {
    ensureStateDir(config);
    writePrivateFile(statePath(config, LAUNCH_OFFER), `${at}\n`);
  } catch {
    // Advisory: at worst the offer comes again at the next launch.
  }
}
