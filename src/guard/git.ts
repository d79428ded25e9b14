import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { IclaudeError } from "../base/errors.ts";
import { type GitResult, gitRaw, STAGED_LISTING_ARGS, takeEarly } from "./git-process.ts";

export type { GitResult };

export async function git(args: string[], cwd?: string): Promise<GitResult> {
  const { code, stdout, stderr } = await gitRaw(args, cwd);
  return { code, stdout, stderr };
}

function failure(result: GitResult, doing: string): IclaudeError {
  const reason = result.stderr.trim().split("\n")[0] || `exit ${result.code}`;
  return new IclaudeError(`Cannot ${doing}: git says "${reason}".`);
}

/** Like git(), but a failure is an IclaudeError naming what was being done. */
export async function gitOk(args: string[], doing: string, cwd?: string): Promise<string> {
  const result = await git(args, cwd);
  if (result.code !== 0) throw failure(result, doing);
  return result.stdout;
}

/**
 * What the commit adds: only added lines, no context, byte-for-byte (no
 * textconv or external diff), with fixed prefixes whatever the user's config.
 * `--text`: a file git would call binary (`-diff` or `binary` in
 * .gitattributes, over core.bigFileThreshold, or holding NUL bytes) is
 * printed too, so it is scanned like any other.
 */
const STAGED_DIFF_ARGS = [
  "-c",
  "core.quotePath=false",
  "diff",
  "--cached",
  "-U0",
  "--text",
  "--no-ext-diff",
  "--no-color",
  "--no-textconv",
  "--no-relative",
  "--src-prefix=a/",
  "--dst-prefix=b/",
  "--diff-filter=d",
];

/**
 * The staged diff, as bytes: a 20 MB diff is searched without being decoded
 * whole. git writes it to a file, faster than through a pipe, in a private
 * (0700) temp dir, removed at once. `paths` (as from stagedChanges) limits it
 * to those files; without them it is the whole commit.
 */
export async function stagedDiff(paths?: readonly string[]): Promise<Buffer> {
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "iclaude-diff-"));
  const output = join(dir, "staged.diff");
  const pathspecs = paths ? ["--", ...paths.map((p) => `:(top,literal)${p}`)] : [];
  try {
    const result = await git([...STAGED_DIFF_ARGS, `--output=${output}`, ...pathspecs]);
    if (result.code !== 0) throw failure(result, "read the staged changes");
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One file the commit adds or changes (deletions left out). */
export interface StagedFile {
  path: string;
  /** The path it was renamed or copied from, so a diff limited to `path` still pairs them. */
  source: string | null;
  /** The staged mode: 100644 or 100755 for a regular file. */
  mode: string;
  /** The staged blob's object id, full length. */
  blob: string;
}

export interface StagedChanges {
  files: StagedFile[];
  /**
   * A digest of the listing: every path, mode and blob id the commit changes.
   * The added lines follow from these, so equal ids mean an equal scan.
   */
  id: string;
  /** false when a path is not valid UTF-8, so cannot be named back to git exactly. */
  exact: boolean;
}

/**
 * What the commit changes, from `git diff --cached --raw`: paths, modes and
 * blob ids, with the same rename pairing as the staged diff, and no content read.
 */
export async function stagedChanges(): Promise<StagedChanges> {
  const result = await (takeEarly() ?? gitRaw(STAGED_LISTING_ARGS));
  if (result.code !== 0) throw failure(result, "list the staged files");
  const fields = result.bytes.toString("latin1").split("\0");
  let exact = true;
  const path = (latin1: string): string => {
    const bytes = Buffer.from(latin1, "latin1");
    try {
      return STRICT_UTF8.decode(bytes);
    } catch {
      exact = false;
      return bytes.toString("utf8");
    }
  };
  const files: StagedFile[] = [];
  for (let i = 0; i + 1 < fields.length; ) {
    const [, mode = "", , blob = "", status = ""] = (fields[i] as string).slice(1).split(" ");
    const pair = status.startsWith("R") || status.startsWith("C");
    const first = path(fields[i + 1] as string);
    files.push(pair ? { path: path(fields[i + 2] as string), source: first, mode, blob } : { path: first, source: null, mode, blob });
    i += pair ? 3 : 2;
  }
  return { files, exact, id: new Bun.CryptoHasher("sha256").update(result.bytes).digest("hex") };
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A staged blob's full content by its object id, for the rules that judge a
 * whole file; never by a `:path` spelling, which git reads as an index stage
 * when the name starts with a digit and a colon (`2:auth.json`). A byte-order
 * mark says UTF-16 or UTF-32. Null over `limit` bytes.
 */
export async function stagedBlob(id: string, limit: number): Promise<string | null> {
  const size = await git(["cat-file", "-s", id]);
  if (size.code !== 0 || Number(size.stdout.trim()) > limit) return null;
  const result = await gitRaw(["cat-file", "blob", id]);
  return result.code === 0 ? decodeText(result.bytes) : null;
}

export type Bom = "utf16le" | "utf16be" | "utf32le" | "utf32be";

/** The Unicode encoding a byte-order mark names, or null. UTF-32LE's mark starts as UTF-16LE's does, so it is asked first. */
export function unicodeBom(bytes: Uint8Array): Bom | null {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe) return c === 0 && d === 0 ? "utf32le" : "utf16le";
  if (a === 0xfe && b === 0xff) return "utf16be";
  return a === 0 && b === 0 && c === 0xfe && d === 0xff ? "utf32be" : null;
}

/** Text of `bytes` in the encoding its byte-order mark names, else UTF-8. */
export function decodeText(bytes: Buffer): string {
  const bom = unicodeBom(bytes);
  if (bom === "utf16le") return bytes.subarray(2).toString("utf16le");
  if (bom === "utf16be")
    return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)))
      .swap16()
      .toString("utf16le");
  if (bom === null) return bytes.toString("utf8");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const points: number[] = [];
  for (let at = 4; at + 4 <= bytes.length; at += 4) points.push(Math.min(view.getUint32(at, bom === "utf32le"), 0x10ffff));
  let text = "";
  for (let at = 0; at < points.length; at += 8192) text += String.fromCodePoint(...points.slice(at, at + 8192));
  return text;
}
