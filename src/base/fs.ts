import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { describeFsError, EXIT, errnoCode, IclaudeError } from "./errors.ts";

/** Claude Code's newer store refuses a credentials file larger than this; so does iclaude, for every file it reads. */
export const MAX_FILE_BYTES = 1024 * 1024;

function notRegular(stats: Stats): string | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return "it is a directory";
  if (stats.isFIFO()) return "it is a named pipe, not a regular file";
  if (stats.isSocket()) return "it is a socket, not a regular file";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "it is a device, not a regular file";
  return "it is not a regular file";
}

/**
 * The file's bytes, or null when it does not exist. Opened non-blocking and
 * checked before a byte is read, so a FIFO, a device or a huge file cannot
 * hang or swell a run: only a regular file of at most 1 MiB is read.
 * `noFollow` refuses a symbolic link (iclaude's own state is never one).
 */
export function readFileBytes(path: string, noFollow = false): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (noFollow ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return null;
    const reason = errnoCode(error) === "ELOOP" && noFollow ? "it is a symbolic link" : describeFsError(error);
    throw new IclaudeError(`Cannot read ${path}: ${reason}.`, EXIT.invalid, { cause: error });
  }
  try {
    const stats = fstatSync(fd);
    const odd = notRegular(stats);
    if (odd) throw new IclaudeError(`Cannot read ${path}: ${odd}.`, EXIT.invalid);
    // Read one byte past the cap: a file that grew since fstat is caught too.
    const buffer = Buffer.alloc(Math.min(stats.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n <= 0) break;
      length += n;
    }
    if (length > MAX_FILE_BYTES) {
      throw new IclaudeError(`Cannot read ${path}: it is larger than 1 MiB (Claude Code too refuses a credentials file that large).`, EXIT.invalid);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(`Cannot read ${path}: ${describeFsError(error)}.`, EXIT.invalid, { cause: error });
  } finally {
    closeSync(fd);
  }
}

/** The file's text, or null when it does not exist. */
export function readTextFile(path: string): string | null {
  return readFileBytes(path)?.toString("utf8") ?? null;
}

/*
 * The atomic write, used by the credentials store and by iclaude's own state alike:
 * a 0600 temp file beside the target, fsync, rename over.
 */

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Run as root over another user's files (`sudo` with their HOME), what iclaude
 * creates or replaces keeps that user's owner and group, so their login stays
 * theirs. Null when there is nothing to keep.
 */
export function ownerToKeep(existing: string): Owner | null {
  if (process.getuid?.() !== 0) return null;
  let stats: Stats | undefined;
  try {
    stats = statSync(existing, { throwIfNoEntry: false });
  } catch {
    return null;
  }
  return stats && (stats.uid !== 0 || stats.gid !== 0) ? { uid: stats.uid, gid: stats.gid } : null;
}

export const TEMP_MARK = ".iclaude-";
const tempName = (target: string): string =>
  join(dirname(target), `${basename(target)}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);

/** A temp file that cannot be removed now (a directory turned read-only) is removed by a later run as stale. */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left for removeStaleTemps.
  }
}

/** A 0600 temp file beside `final`, already as large as what will go in it: its blocks are had before a token is spent. */
export interface Reserved {
  temp: string;
  fd: number;
}

export function reserveTemp(final: string, size: number, owner: Owner | null): Reserved {
  const temp = tempName(final);
  const fd = openSync(temp, "wx", 0o600);
  try {
    fchmodSync(fd, 0o600);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    const zeros = Buffer.alloc(size);
    for (let written = 0; written < size; ) written += writeSync(fd, zeros, written, size - written, written);
    // Only blocks had are worth a sync: an empty file holds none, and its content is synced when it is filled.
    if (size > 0) fsyncSync(fd);
    return { temp, fd };
  } catch (error) {
    closeSync(fd);
    removeQuietly(temp);
    throw error;
  }
}

/** Overwrites the reserved blocks with `bytes`, syncs (unless `durable` is false), and renames the temp file over `final`. */
export function fillAndRename(reserved: Reserved, bytes: Uint8Array, final: string, durable = true): void {
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(reserved.fd, bytes, written, bytes.length - written, written);
    ftruncateSync(reserved.fd, bytes.length);
    if (durable) fsyncSync(reserved.fd);
    closeSync(reserved.fd);
    reserved.fd = -1;
    renameSync(reserved.temp, final);
  } catch (error) {
    if (reserved.fd >= 0) closeSync(reserved.fd);
    reserved.fd = -1;
    removeQuietly(reserved.temp);
    throw error;
  }
}

/**
 * Writes a small private file (iclaude's own state) atomically with mode 0600, keeping the owner of
 * its directory when run as root: a 0600 temp file, fsync, rename over. `durable: false` leaves out
 * the fsync, for what is only advice (next-check, the notice) and written on every launch: a reader
 * still sees the old content or the new, and a crash at worst leaves it empty, which reads as "look now".
 */
export function writePrivateFile(path: string, content: string | Uint8Array, options: { durable?: boolean } = {}): void {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  fillAndRename(reserveTemp(path, 0, ownerToKeep(dirname(path))), bytes, path, options.durable !== false);
}
