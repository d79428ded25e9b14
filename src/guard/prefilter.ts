import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { wideNeedles } from "./diff-index.ts";
import { type StagedFile, unicodeBom } from "./git.ts";
import { BASE64_LINE } from "./rules/base64.ts";

/** Larger files are left to git's diff rather than read whole into memory. */
const MAX_READ_BYTES = 16 * 1024 * 1024;
const REGULAR_MODES = new Set(["100644", "100755"]);
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** A Git LFS pointer left in the working tree: what it points to is read from the diff's pointer (see lfs.ts). */
const LFS_POINTER = Buffer.from("version https://git-lfs.github.com/spec/v1");

/**
 * The guard's first pass: which staged files could hold a finding. A file is
 * cleared when its working-tree copy is byte for byte the staged blob (its
 * git object id, recomputed) and holds no keyword. Everything else goes on
 * to the diff: a keyword (in a binary also in UTF-16 and UTF-32), a UTF-16 or
 * UTF-32 file, a Git LFS pointer, a file that starts with a line of base64,
 * a copy that differs from what was staged
 * (an LFS file's real content), a symlink, a submodule, a file that cannot be
 * read or is very large.
 *
 * Reading files that are already in the page cache is several times faster
 * than having git inflate and print the same 20 MB, and no less exact.
 * Returns null as soon as more than `limit` files are kept: then git's whole
 * diff is the quicker way.
 */
export function filesToDiff(top: string, files: readonly StagedFile[], keywords: readonly string[], limit = Infinity): StagedFile[] | null {
  const needles = keywords.map((k) => Buffer.from(k));
  const wide = wideNeedles(keywords);
  const kept: StagedFile[] = [];
  let buffer = Buffer.alloc(0);
  const mustDiff = (file: StagedFile): boolean => {
    if (!REGULAR_MODES.has(file.mode)) return true;
    let fd: number;
    try {
      fd = openSync(join(top, file.path), OPEN_FLAGS);
    } catch {
      return true;
    }
    try {
      const stat = fstatSync(fd);
      const size = stat.size;
      if (!stat.isFile() || size > MAX_READ_BYTES) return true;
      if (buffer.length < size) buffer = Buffer.allocUnsafe(Math.max(size, 2 * buffer.length, 64 * 1024));
      const content = buffer.subarray(0, readWhole(fd, buffer, size));
      if (content.length !== size || unicodeBom(content) !== null || content.subarray(0, LFS_POINTER.length).equals(LFS_POINTER) || startsWithBase64(content))
        return true;
      if (needles.some((n) => content.includes(n))) return true;
      if (content.includes(0) && wide.some((n) => content.includes(n))) return true;
      return objectId(content, file.blob.length) !== file.blob;
    } catch {
      return true;
    } finally {
      closeSync(fd);
    }
  };
  for (const file of files) {
    if (mustDiff(file) && kept.push(file) > limit) return null;
  }
  return kept;
}

/** A file that starts with a line of base64 (written by `base64`, at any width): scanned decoded, needles or not. */
function startsWithBase64(content: Buffer): boolean {
  // Two native searches clear nearly every file (a first line with a space, or shorter than 20) before any decoding.
  const head = content.subarray(0, 20);
  if (head.length < 20 || head.includes(0x20) || head.includes(0x0a)) return false;
  return BASE64_LINE.test(content.toString("latin1", 0, 256).split("\n", 1)[0] as string);
}

function readWhole(fd: number, into: Buffer, size: number): number {
  let done = 0;
  while (done < size) {
    const n = readSync(fd, into, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** The id git gives these bytes as a blob: SHA-1, or SHA-256 in a repository that uses it. */
function objectId(content: Buffer, idLength: number): string {
  const hasher = new Bun.CryptoHasher(idLength === 64 ? "sha256" : "sha1");
  hasher.update(`blob ${content.length}\0`);
  hasher.update(content);
  return hasher.digest("hex");
}
