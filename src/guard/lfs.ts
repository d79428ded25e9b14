import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { addedWhole } from "./added-text.ts";
import { hunkAt, indexHunks, needlesFor } from "./diff-index.ts";
import { decodeText } from "./git.ts";
import { gitRaw } from "./git-process.ts";

/**
 * Git LFS commits a pointer (`oid sha256:…`, `size …`) and keeps the file's
 * content under the LFS storage dir until push sends it to the LFS server:
 * the content is what must be scanned. A pointer's `oid` line is found in the
 * diff whatever else changed (with -U0 a changed pointer shows only its oid and
 * size); an oid whose object is not stored here has nothing to scan.
 */
const OID_LINE = "\n+oid sha256:";
/** LFS objects are read up to this size: larger ones (models, media) in their first 64 MiB. */
const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

export interface LfsObject {
  path: string;
  oid: string;
}

/** The LFS objects the diff's pointers name, one per path. */
export function lfsPointers(diff: Buffer): LfsObject[] {
  if (!diff.includes(OID_LINE)) return [];
  const hunks = indexHunks(diff);
  const found = new Map<string, string>();
  for (let at = diff.indexOf(OID_LINE); at !== -1; at = diff.indexOf(OID_LINE, at + 1)) {
    const hunk = hunkAt(hunks, at + 1);
    const oid = /^[0-9a-f]{64}$/.exec(diff.toString("latin1", at + OID_LINE.length, at + OID_LINE.length + 64))?.[0];
    if (hunk && oid) found.set(hunk.path, oid);
  }
  return [...found].map(([path, oid]) => ({ path, oid }));
}

/** Where git-lfs stores objects: `lfs.storage` (relative to the git dir), else `<git common dir>/lfs`. */
async function storageDir(): Promise<string | null> {
  const [common, storage] = await Promise.all([gitRaw(["rev-parse", "--git-common-dir"]), gitRaw(["config", "--get", "lfs.storage"])]);
  if (common.code !== 0) return null;
  const gitDir = resolve(common.stdout.trim());
  const configured = storage.code === 0 ? storage.stdout.trim() : "";
  if (!configured) return join(gitDir, "lfs");
  return isAbsolute(configured) ? configured : join(gitDir, configured);
}

function readStart(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.allocUnsafe(Math.min(fstatSync(fd).size, MAX_OBJECT_BYTES));
    let done = 0;
    for (let n = 1; n > 0 && done < buffer.length; done += n) n = readSync(fd, buffer, done, buffer.length - done, done);
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** An LFS object's content as the diff of a file that adds it whole, with its text for the file rules; null when not stored here or holding no keyword. */
export async function lfsObjectDiffs(
  objects: readonly LfsObject[],
  keywords: readonly string[],
): Promise<Array<{ path: string; diff: Buffer; text: () => string }>> {
  if (objects.length === 0) return [];
  const dir = await storageDir();
  if (dir === null) return [];
  return objects.flatMap(({ path, oid }) => {
    const content = readStart(join(dir, "objects", oid.slice(0, 2), oid.slice(2, 4), oid));
    if (content === null || !needlesFor(content, keywords).some((n) => content.includes(n))) return [];
    return [{ path, diff: addedWhole(path, content), text: () => decodeText(content) }];
  });
}
