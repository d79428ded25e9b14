import { closeSync, existsSync, fsyncSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, statSync, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { describeFsError, EXIT, errnoCode, IclaudeError } from "../../base/errors.ts";
import { fillAndRename, type Owner, ownerToKeep, type Reserved, readFileBytes, removeQuietly, reserveTemp, TEMP_MARK } from "../../base/fs.ts";

/** A symlinked file is written where it points, so the link stays a link. */
function resolveTarget(path: string): string {
  try {
    if (!lstatSync(path).isSymbolicLink()) return path;
  } catch {
    return path;
  }
  try {
    return realpathSync(path);
  } catch {
    return resolve(dirname(path), readlinkSync(path));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM";
  }
}

/** Temp files of writers that died (SIGKILL, power loss) are removed, so none pile up. */
function removeStaleTemps(target: string): void {
  const prefix = `${basename(target)}${TEMP_MARK}`;
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      try {
        unlinkSync(join(dirname(target), name));
      } catch {
        // Another writer cleaned it first.
      }
    }
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Room had before a refresh token is spent, so that its successor can be written whatever the disk does meanwhile. */
export interface ReservedWrite {
  /**
   * Backs up the current content, then puts `bytes` in place; throws IclaudeError when that fails.
   * `previous`: the current content as just read under Claude Code's storage lock (not read again).
   */
  commit(bytes: Uint8Array, previous?: Buffer | null): void;
  /** Gives back what was not used; safe to call twice. */
  release(): void;
}

/** A replacement of another user's file would take it from them: refused unless iclaude can keep its owner (root). */
function checkOwner(target: string): Owner | null {
  const stats = statSync(target, { throwIfNoEntry: false });
  const uid = process.getuid?.();
  if (stats && uid !== undefined && uid !== 0 && stats.uid !== uid) {
    throw new IclaudeError(
      `${target} belongs to another user (uid ${stats.uid}), and iclaude does not replace another user's credentials; nothing was sent — run iclaude as that user.`,
      EXIT.refreshFailed,
    );
  }
  return ownerToKeep(stats ? target : dirname(target));
}

function commitCredentials(
  path: string,
  target: string,
  bytes: Uint8Array,
  held: { next: Reserved | null; backup: Reserved | null; owner: Owner | null },
  known?: Buffer | null,
): void {
  const { next, backup, owner } = held;
  try {
    removeStaleTemps(target);
    removeStaleTemps(`${target}.bak`);
    const previous = known !== undefined ? known : readFileBytes(target);
    try {
      // Byte for byte: the backup is what was there, whatever iclaude understands of it.
      if (previous !== null) fillAndRename(backup ?? reserveTemp(`${target}.bak`, 0, owner), previous, `${target}.bak`);
    } catch {
      // The refresh token behind `bytes` is already spent: a backup that fails now must not cost the new pair.
    }
    fillAndRename(next ?? reserveTemp(target, 0, owner), bytes, target);
    fsyncDir(dirname(target));
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(`Cannot write ${path}: ${describeFsError(error)}; the previous credentials were left as they were.`, EXIT.refreshFailed, {
      cause: error,
    });
  }
}

/**
 * Proves, before a refresh token is spent, that its successor can be kept, and
 * keeps the proof: temp files for the backup and for the new content (`size`
 * bytes) are written out, synced and held until `commit` fills them. A full
 * disk, a read-only file system, a missing permission or a file of another
 * user fails here, with nothing sent and nothing changed. `current`: the content as just read
 * under Claude Code's locks, whose size the backup needs (not read again).
 */
export function reserveCredentialsWrite(path: string, size: number, current?: Buffer | null): ReservedWrite {
  const target = resolveTarget(path);
  if (existsSync(`${target}.bak`) && !statSync(`${target}.bak`).isFile()) {
    throw new IclaudeError(
      `${target}.bak is not a file, so the credentials cannot be backed up; nothing was sent and the login is unchanged — move it away.`,
      EXIT.refreshFailed,
    );
  }
  const owner = checkOwner(target);
  const held: Reserved[] = [];
  const release = () => {
    for (const r of held.splice(0)) {
      if (r.fd >= 0) closeSync(r.fd);
      r.fd = -1;
      removeQuietly(r.temp);
    }
  };
  let backup: Reserved | null = null;
  let next: Reserved;
  try {
    const previous = current !== undefined ? current : readFileBytes(target);
    if (previous !== null) {
      backup = reserveTemp(`${target}.bak`, previous.length, owner);
      held.push(backup);
    }
    next = reserveTemp(target, size, owner);
    held.push(next);
  } catch (error) {
    release();
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(
      `Cannot write in ${dirname(target)} (${describeFsError(error)}); nothing was sent and the login is unchanged — free some space or fix its permissions.`,
      EXIT.refreshFailed,
      { cause: error },
    );
  }
  return {
    commit: (bytes, previous) => {
      try {
        commitCredentials(path, target, bytes, { next, backup, owner }, previous);
      } finally {
        release();
      }
    },
    release,
  };
}

/**
 * Replaces the credentials file: the previous content goes to `.bak` first
 * (itself written atomically), then the new content is renamed over the file.
 * At every moment the file holds either the old or the new bytes.
 */
export function writeCredentialsFile(path: string, bytes: Uint8Array | string): void {
  const target = resolveTarget(path);
  const owner = ownerToKeep(existsSync(target) ? target : dirname(target));
  commitCredentials(path, target, typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes, { next: null, backup: null, owner });
}
