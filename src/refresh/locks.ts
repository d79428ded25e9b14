import { mkdirSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import type { Config } from "../base/config.ts";
import { describeFsError, EXIT, errnoCode, IclaudeError, messageOf } from "../base/errors.ts";
import { backoff, sleep } from "../base/proc.ts";

/** Claude Code's values (2.1.332): a holder refreshes the lock's mtime every 5 s; one untouched for 60 s is stale. */
const STALE_MS = 60_000;
const UPDATE_MS = 5_000;
/** Claude Code's storage-write lock: one untouched for 15 s is stale (proper-lockfile then refreshes it every 7.5 s). */
const STORAGE_STALE_MS = 15_000;

type Release = () => Promise<void>;

/**
 * Claude Code's own lock options. A compromised lock (taken over as stale) is
 * not fatal: by then the token may be spent, and writing the answer is the
 * only way not to lose the login.
 */
const lockOptions = (lockfilePath: string) => ({
  lockfilePath,
  realpath: false,
  stale: STALE_MS,
  update: UPDATE_MS,
  onCompromised: () => {},
});

/** Why a lock could not be made in `dir` when nobody holds it: that dir, not a moment's wait, is what must change. */
function notWritable(dir: string, error: unknown): string {
  const code = errnoCode(error);
  const reason = describeFsError(error);
  return code === "EACCES" || code === "EPERM" || code === "EROFS"
    ? `${dir} is not writable (${reason}); check that directory's permissions`
    : `${reason}; check ${dir}`;
}

const isLocked = (error: unknown): boolean => typeof error === "object" && error !== null && "code" in error && error.code === "ELOCKED";

/**
 * One attempt at both of Claude Code's locks, in its order: the new one inside
 * the config dir, then the legacy `<realpath>.lock` beside it (two different
 * lock keys). The legacy lock is best effort, as in Claude Code: only a holder
 * counts, an unwritable parent does not. Null when someone holds either.
 */
async function tryLockBoth(dir: string): Promise<Release | null> {
  let releaseNew: Release;
  try {
    releaseNew = await lock(dir, lockOptions(join(dir, ".oauth_refresh.lock")));
  } catch (error) {
    if (isLocked(error)) return null;
    throw error;
  }
  const legacy = `${await realpath(dir).catch(() => dir)}.lock`;
  let releaseLegacy: Release | null = null;
  try {
    releaseLegacy = await lock(legacy, lockOptions(legacy));
  } catch (error) {
    if (isLocked(error)) {
      await releaseNew().catch(() => {});
      return null;
    }
  }
  return async () => {
    await releaseLegacy?.().catch(() => {});
    await releaseNew().catch(() => {});
  };
}

/**
 * Runs `fn` holding Claude Code's refresh locks, waiting at most `waitMs` for
 * them (then exit 23). Polls with jitter so many waiters do not move in step;
 * `onHeld` is told once when the first try finds them held.
 */
export async function withRefreshLock<T>(config: Pick<Config, "claudeConfigDir">, waitMs: number, fn: () => Promise<T>, onHeld?: () => void): Promise<T> {
  const end = Date.now() + waitMs;
  let release: Release | null;
  try {
    // As Claude Code does: with the Keychain store the config dir may not exist yet.
    mkdirSync(config.claudeConfigDir, { recursive: true, mode: 0o700 });
    release = await tryLockBoth(config.claudeConfigDir);
    while (release === null) {
      onHeld?.();
      onHeld = undefined;
      if (Date.now() >= end) {
        throw new IclaudeError(
          `Another refresh is in progress (Claude Code's lock ${join(config.claudeConfigDir, ".oauth_refresh.lock")} is held); try again in a moment.`,
          EXIT.lockTimeout,
        );
      }
      await backoff(Math.min(50 + Math.random() * 150, Math.max(end - Date.now(), 0)));
      release = await tryLockBoth(config.claudeConfigDir);
    }
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    const reason = messageOf(error);
    throw new IclaudeError(
      `Cannot take Claude Code's refresh lock in ${config.claudeConfigDir} (${reason}); check that directory's permissions.`,
      EXIT.lockTimeout,
    );
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * Runs `fn` holding Claude Code's storage-write lock (`<dir>/.storage-write.lock`), which Claude
 * Code takes around every read-modify-write of its credentials: no write of theirs (a saved MCP
 * token) can then put back a refresh token iclaude has just spent. Waits at most `waitMs`; `onHeld`
 * is told once when the first try finds it held.
 */
export async function withStorageWriteLock<T>(
  config: Pick<Config, "claudeConfigDir">,
  waitMs: number,
  fn: () => T | Promise<T>,
  onHeld?: () => void,
): Promise<T> {
  const file = join(config.claudeConfigDir, ".storage-write");
  const end = Date.now() + waitMs;
  let release: Release;
  for (;;) {
    try {
      release = await lock(file, { realpath: false, stale: STORAGE_STALE_MS, onCompromised: () => {} });
      break;
    } catch (error) {
      if (!isLocked(error)) {
        throw new IclaudeError(`Cannot take Claude Code's storage lock ${file}.lock: ${notWritable(config.claudeConfigDir, error)}.`, EXIT.lockTimeout, {
          cause: error,
        });
      }
      if (Date.now() >= end)
        throw new IclaudeError(`Cannot take Claude Code's storage lock ${file}.lock (it is held); try again in a moment.`, EXIT.lockTimeout);
      onHeld?.();
      onHeld = undefined;
      await backoff(Math.min(50 + Math.random() * 150, Math.max(end - Date.now(), 0)));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

const HELD_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Holds off SIGINT, SIGTERM and SIGHUP: from the moment a refresh token is
 * sent until its successor is written, dying would burn the login. The first
 * signal that arrived is delivered again by `release`, which resolves only
 * after an event-loop turn, so the signal acts before anything else runs.
 */
export function holdSignals(): { release: () => Promise<void> } {
  let pending: NodeJS.Signals | null = null;
  const hold = (signal: NodeJS.Signals) => {
    pending ??= signal;
  };
  for (const signal of HELD_SIGNALS) process.on(signal, hold);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      for (const signal of HELD_SIGNALS) process.off(signal, hold);
      if (!pending) return;
      process.kill(process.pid, pending);
      await sleep(100);
    },
  };
}
