import type { Config } from "../base/config.ts";
import { describeFsError, EXIT, IclaudeError, messageOf } from "../base/errors.ts";
import { type CredentialsFile, type NewTokens, serializeCredentials, withNewTokens } from "../credentials/format.ts";
import { type ReservedWrite, readCredentials, type StoredCredentials } from "../credentials/store/index.ts";
import { clearRescue, readRescue, rescuePath, saveRescue } from "../credentials/store/rescue.ts";
import type { GrantEvent, GrantResult } from "./grant.ts";
import { withStorageWriteLock } from "./locks.ts";

/**
 * The credentials write of a refresh, reached only through redeem.ts from engine.ts's refreshIfDue:
 * Claude Code's credentials are only ever replaced by a complete new pair.
 */

/**
 * Puts a pair the server has issued into the credentials. Should that fail,
 * the pair is kept in the state dir (rescue.ts) for the next run to adopt:
 * the refresh token behind it is already spent.
 */
function putNewPair(
  config: Config,
  stored: StoredCredentials & { parsed: CredentialsFile },
  spent: string,
  tokens: NewTokens,
  reserved: ReservedWrite,
  previous: Buffer | undefined,
): StoredCredentials {
  const file = withNewTokens(stored.parsed, tokens);
  const bytes = serializeCredentials(file, stored);
  try {
    reserved.commit(bytes, previous);
  } catch (error) {
    try {
      saveRescue(config, stored.store.location, spent, tokens);
    } catch {
      throw error;
    }
    const reason = error instanceof IclaudeError && error.cause ? describeFsError(error.cause) : messageOf(error);
    throw new IclaudeError(
      `The new login could not be written to ${stored.store.location} (${reason}); it is kept in ${rescuePath(config, stored.store.location)} and put in place at the next iclaude run — free some space or fix the permissions.`,
      EXIT.refreshFailed,
    );
  }
  clearRescue(config, stored.store.location);
  return { store: stored.store, text: bytes.toString("utf8"), bytes, parsed: file };
}

/** After the storage lock is not had for this long, the spent token's successor is written anyway: it is the only copy. */
export const SAVE_LOCK_WAIT_MS = 30_000;

/**
 * Writes the new pair under Claude Code's storage-write lock into the credentials as they are now
 * (a key Claude Code saved meanwhile is kept), into the room reserved before the send. As Claude
 * Code does, credentials that meanwhile hold a different refresh token (a new login, another
 * refresh) are newer and are left alone. Resolves to the credentials written, or null when they
 * were left alone.
 */
export async function saveNewPair(
  config: Config,
  stored: StoredCredentials,
  posted: string,
  result: GrantResult,
  reserved: ReservedWrite,
  onGrant?: (event: GrantEvent) => void,
): Promise<StoredCredentials | null> {
  const save = (): StoredCredentials | null => {
    let fresh = stored;
    let previous: Buffer | undefined;
    try {
      const now = readCredentials(stored.store);
      if (now.parsed) fresh = now;
      // Read under the storage lock a moment ago: the backup is made of it, with no second read.
      if (now.parsed && now.bytes) previous = now.bytes;
    } catch {
      // Unreadable now: the copy read under the refresh lock is the base.
    }
    const token = fresh.parsed?.claudeAiOauth?.refreshToken;
    if (!fresh.parsed || (token !== posted && token !== "")) return null;
    return putNewPair(config, { ...fresh, parsed: fresh.parsed }, posted, result, reserved, previous);
  };
  try {
    return await withStorageWriteLock(config, SAVE_LOCK_WAIT_MS, save, () => onGrant?.({ kind: "lock-held", lock: "storage", waitMs: SAVE_LOCK_WAIT_MS }));
  } catch (error) {
    if (error instanceof IclaudeError && error.exitCode === EXIT.lockTimeout) return save();
    throw error;
  }
}

/**
 * Puts the pair a failed write rescued into the credentials, under the storage-write lock; false
 * when the credentials no longer hold the refresh token it followed (someone else moved on).
 */
export async function restoreRescued(config: Config, stored: StoredCredentials): Promise<boolean> {
  const restored = await withStorageWriteLock(config, SAVE_LOCK_WAIT_MS, () => {
    // Claude Code may have saved something (an MCP login) since the last read: the pair goes into the file as it is now.
    const fresh = readCredentials(stored.store);
    const pair = fresh.parsed && readRescue(config, stored.store.location, fresh.parsed.claudeAiOauth?.refreshToken);
    if (!fresh.parsed || !pair) return false;
    const bytes = serializeCredentials(withNewTokens(fresh.parsed, pair), fresh);
    stored.store.reserveWrite(bytes.length, fresh.bytes).commit(bytes, fresh.bytes);
    return true;
  });
  if (restored) clearRescue(config, stored.store.location);
  return restored;
}
