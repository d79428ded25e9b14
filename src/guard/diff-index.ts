/**
 * Reading a `git diff -U0` as bytes: where each file's hunks start, which
 * lines hold a keyword, and line numbers in the new file. Only the lines that
 * matter are ever decoded.
 */
export interface Hunk {
  /** Offset of the first line after the `@@` header. */
  body: number;
  /** Offset where this file's section of the diff ends. */
  end: number;
  newStart: number;
  path: string;
}

export const NL = 0x0a;
export const PLUS = 0x2b;

/** Offsets of the lines that begin with `prefix`. */
function linesStartingWith(diff: Buffer, prefix: string): number[] {
  const out: number[] = diff.subarray(0, prefix.length).toString() === prefix ? [0] : [];
  for (let i = diff.indexOf(`\n${prefix}`); i !== -1; i = diff.indexOf(`\n${prefix}`, i + 1)) out.push(i + 1);
  return out;
}

export const lineStart = (diff: Buffer, at: number): number => (at === 0 ? 0 : diff.lastIndexOf(NL, at - 1) + 1);

/** Undoes git's C-style quoting of an unusual path (`"b/a\"b\303\251"`). */
export function unquotePath(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };
  const body = new TextEncoder().encode(raw.slice(1, -1));
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] as number;
    const next = String.fromCharCode(body[i + 1] ?? 0);
    if (byte !== 92) {
      bytes.push(byte);
    } else if (/[0-7]/.test(next)) {
      bytes.push(parseInt(String.fromCharCode(...body.slice(i + 1, i + 4)), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? (body[i + 1] as number));
      i += 1;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * The hunks of a `git diff -U0` text, each with its file. Lines starting `diff --git `
 * and `@@ ` are unambiguous: every content line starts with `+`, `-`, ` ` or `\`.
 */
export function indexHunks(diff: Buffer): Hunk[] {
  const sections = linesStartingWith(diff, "diff --git ");
  const heads = linesStartingWith(diff, "@@ ");
  const hunks: Hunk[] = [];
  let h = 0;
  sections.forEach((start, s) => {
    const end = sections[s + 1] ?? diff.length;
    const firstHead = heads[h];
    if (firstHead === undefined || firstHead >= end) return;
    const header = diff.toString("utf8", start, firstHead);
    const plus = /^\+\+\+ (.*)$/m.exec(header)?.[1];
    if (!plus || plus === "/dev/null") return;
    // git ends a `+++` path that holds a space with a tab.
    const path = unquotePath(plus.replace(/\t$/, "")).replace(/^b\//, "");
    for (; h < heads.length && (heads[h] as number) < end; h++) {
      const at = heads[h] as number;
      const newStart = Number(/^@@ -\d+(?:,\d+)? \+(\d+)/.exec(diff.toString("latin1", at, at + 64))?.[1] ?? 0);
      const eol = diff.indexOf(NL, at);
      hunks.push({ body: eol === -1 ? diff.length : eol + 1, end, newStart, path });
    }
  });
  return hunks;
}

/** The hunk holding offset `at`: the last one starting before it, if `at` is still in its file. */
export function hunkAt(hunks: Hunk[], at: number): Hunk | null {
  let lo = 0;
  let hi = hunks.length - 1;
  let found: Hunk | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const hunk = hunks[mid] as Hunk;
    if (hunk.body <= at) {
      found = hunk;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found && at < found.end ? found : null;
}

/**
 * Lines longer than this (a binary's, a minified bundle's) are read only
 * within WINDOW bytes of each keyword: every rule's secret sits near its
 * keyword, and regexes over megabytes would cost seconds.
 */
const MAX_LINE = 64 * 1024;
const WINDOW = 8 * 1024;

/** Keywords with one NUL between their letters, and with three: ASCII in UTF-16 and in UTF-32, of either byte order. */
export const wideNeedles = (keywords: readonly string[]): Buffer[] =>
  ["\0", "\0\0\0"].flatMap((nul) => keywords.map((k) => Buffer.from(k.split("").join(nul))));

/** The byte strings to search for: the keywords, and their UTF-16 and UTF-32 forms when the diff holds NUL bytes (UTF-16, UTF-32, a binary). */
export function needlesFor(diff: Buffer, keywords: readonly string[]): Buffer[] {
  return [...keywords.map((k) => Buffer.from(k)), ...(diff.includes(0) ? wideNeedles(keywords) : [])];
}

/** Bytes as text. NUL bytes are dropped: a UTF-16 or UTF-32 file's ASCII (every token) then reads as itself, and a binary's strings too. */
export const decode = (bytes: Buffer): string => (bytes.includes(0) ? bytes.toString("latin1").replaceAll("\0", "") : bytes.toString("utf8"));

/** A line's text; a very long one only around its keywords, the pieces joined by newlines. */
export function lineText(diff: Buffer, start: number, end: number, needles: readonly Buffer[]): string {
  if (end - start <= MAX_LINE) return decode(diff.subarray(start, end));
  const ranges: Array<[number, number]> = [];
  for (const needle of needles) {
    for (let i = diff.indexOf(needle, start); i !== -1 && i < end; i = diff.indexOf(needle, i + needle.length)) {
      ranges.push([Math.max(start, i - WINDOW), Math.min(end, i + WINDOW)]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of ranges) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged.map(([from, to]) => decode(diff.subarray(from, to))).join("\n");
}

/** Start offsets of every line holding a needle, ascending, each once. */
export function candidateLines(diff: Buffer, needles: readonly Buffer[]): number[] {
  const starts = new Set<number>();
  for (const needle of needles) {
    for (let i = diff.indexOf(needle); i !== -1; i = diff.indexOf(needle, i + needle.length)) starts.add(lineStart(diff, i));
  }
  return [...starts].sort((a, b) => a - b);
}

/** Added lines from offset `from` up to and including the line starting at `to`. */
export function addedLines(diff: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i <= to; ) {
    if (diff[i] === PLUS) n++;
    const eol = diff.indexOf(NL, i);
    if (eol === -1) break;
    i = eol + 1;
  }
  return n;
}
