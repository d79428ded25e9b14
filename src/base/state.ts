import { accessSync, chmodSync, chownSync, closeSync, constants, fchownSync, fstatSync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "./config.ts";
import { describeFsError, EXIT, IclaudeError } from "./errors.ts";
import { ownerToKeep, readFileBytes } from "./fs.ts";
import { showText } from "./show.ts";
import { stateTrustError, stateTrustProblem, statOrNull, untrusted } from "./state-trust.ts";

/** iclaude's own state: small files under $ICLAUDE_STATE_DIR, never a secret in clear. */
export const statePath = (config: Pick<Config, "stateDir">, name: string): string => join(config.stateDir, name);

/** Creates the state dir 0700 — owned, as root over another user's HOME, by that user — and refuses one it cannot trust. */
export function ensureStateDir(config: Pick<Config, "stateDir">): void {
  const refused = stateTrustError(config, "nothing was written");
  if (refused) throw refused;
  let existing = config.stateDir;
  while (!statOrNull(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const owner = ownerToKeep(existing);
  const first = mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  chmodSync(config.stateDir, 0o700);
  if (!owner) return;
  for (let dir = config.stateDir; dir.length >= first.length; dir = dirname(dir)) chownSync(dir, owner.uid, owner.gid);
}

/** Appends to a state file, never through a symbolic link (as root, that could be any file on the machine). */
export function appendStateFile(path: string, text: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  try {
    if (!fstatSync(fd).isFile()) throw new IclaudeError(`${path} is not a regular file.`, EXIT.refreshFailed);
    const owner = ownerToKeep(dirname(path));
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Before a refresh token is sent: the state dir must take the cooldown and a
 * refused token's fingerprint, or a dead token would be sent again and again.
 */
export function assertStateWritable(config: Pick<Config, "stateDir">): void {
  const refused = stateTrustError(config, "nothing was sent");
  if (refused) throw refused;
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

/**
 * A state file's text; null when it is absent, unreadable, or could have been
 * planted by someone else (a symbolic link, another owner, writable by others,
 * in a state dir that is): state is advisory, never fatal.
 */
export function readState(config: Pick<Config, "stateDir">, name: string): string | null {
  if (stateTrustProblem(config)) return null;
  const path = statePath(config, name);
  try {
    const stats = statOrNull(path, false);
    if (!stats || untrusted(path, stats.uid, stats.mode)) return null;
    return readFileBytes(path, true)?.toString("utf8") ?? null;
  } catch {
    return null;
  }
}

/**
 * A time (ms) read back from a state file, or null. One ahead of the clock was stamped while the
 * clock ran fast (or this one was set back): how long ago it really was cannot be known, so it
 * counts as long past. Forgetting it costs one more attempt, notice or question; honouring it held
 * every refresh back until the clock caught up.
 */
export function pastStamp(at: unknown, now: number): number | null {
  return typeof at === "number" && Number.isFinite(at) && at > 0 && at <= now ? at : null;
}

const LOG = "iclaude.log";
const LOG_CAP = 256 * 1024;

/** Appends one line to the state log (no control character raw: a path cannot forge a line), rotating it to `.1` past its cap. Never fails a run: the log is advisory. */
export function appendStateLog(config: Pick<Config, "stateDir">, line: string): void {
  const path = statePath(config, LOG);
  try {
    ensureStateDir(config);
    if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > LOG_CAP) renameSync(path, `${path}.1`);
    appendStateFile(path, `${new Date().toISOString()} ${showText(line)}\n`);
  } catch {
    // An unwritable state dir costs the log line, nothing else.
  }
}
