import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { describeFsError, errnoCode, EXIT, IclaudeError } from "../errors.ts";

/** The file's text, or null when it does not exist. */
export function readTextFile(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT") return null;
    throw new IclaudeError(`Cannot read ${path}: ${describeFsError(error)}.`, EXIT.invalid, { cause: error });
  }
}

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

const TEMP_MARK = ".iclaude-";
const tempName = (target: string): string =>
  join(dirname(target), `${basename(target)}${TEMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);

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

/** Writes `text` to `path` atomically: a 0600 temp file, fsync, rename over, fsync the directory. */
function replaceFile(path: string, text: string): void {
  const temp = tempName(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", 0o600);
    fchmodSync(fd, 0o600);
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never created, or is already gone.
    }
    throw error;
  }
}

/**
 * Proves, before a refresh token is spent, that its successor could be kept:
 * a temp file as large as the backup and the new file together is written,
 * synced and removed. A full disk, a read-only file system or a directory
 * without write permission fails here, with nothing sent and nothing changed.
 */
export function probeCredentialsWrite(path: string): void {
  const target = resolveTarget(path);
  const temp = tempName(target);
  let fd: number | undefined;
  try {
    if (existsSync(`${target}.bak`) && !statSync(`${target}.bak`).isFile()) {
      throw new IclaudeError(
        `${target}.bak is not a file, so the credentials cannot be backed up; nothing was sent and the login is unchanged — move it away.`,
        EXIT.refreshFailed,
      );
    }
    const size = 2 * Math.max(readTextFile(target)?.length ?? 0, 4096);
    fd = openSync(temp, "wx", 0o600);
    writeSync(fd, Buffer.alloc(size));
    fsyncSync(fd);
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(
      `Cannot write in ${dirname(target)} (${describeFsError(error)}); nothing was sent and the login is unchanged — free some space or fix its permissions.`,
      EXIT.refreshFailed,
      { cause: error },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
  }
}

/**
 * Replaces the credentials file: the previous content goes to `.bak` first
 * (itself written atomically), then the new content is renamed over the file.
 * At every moment the file holds either the old or the new text.
 */
export function writeCredentialsFile(path: string, text: string): void {
  const target = resolveTarget(path);
  try {
    removeStaleTemps(target);
    removeStaleTemps(`${target}.bak`);
    const previous = readTextFile(target);
    try {
      if (previous !== null) replaceFile(`${target}.bak`, previous);
    } catch {
      // The refresh token behind `text` is already spent: a backup that fails now must not cost the new pair.
    }
    replaceFile(target, text);
    fsyncDir(dirname(target));
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(
      `Cannot write ${path}: ${describeFsError(error)}; the previous credentials were left as they were.`,
      EXIT.refreshFailed,
      { cause: error },
    );
  }
}

/** Writes a small private file (iclaude's own state) atomically with mode 0600. */
export function writePrivateFile(path: string, text: string): void {
  replaceFile(path, text);
}
