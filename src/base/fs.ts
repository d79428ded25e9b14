import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { describeFsError, errnoCode, EXIT, IclaudeError } from "./errors.ts";

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
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
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
