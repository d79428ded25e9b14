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

const lineStart = (diff: Buffer, at: number): number => (at === 0 ? 0 : diff.lastIndexOf(NL, at - 1) + 1);

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
 * A line's text. NUL bytes are dropped: a UTF-16 file's ASCII (every token)
 * then reads as itself, and a real binary's embedded strings are searched too.
 */
export function lineText(diff: Buffer, start: number, end: number): string {
  const bytes = diff.subarray(start, end);
  return bytes.includes(0) ? Buffer.from(bytes.filter((b) => b !== 0)).toString("utf8") : bytes.toString("utf8");
}

/**
 * Start offsets of every line holding a keyword, ascending, each once. When
 * the diff holds NUL bytes (UTF-16, a binary) keywords are also looked for
 * with a NUL between their letters: ASCII in UTF-16, either byte order.
 */
export function candidateLines(diff: Buffer, keywords: readonly string[]): number[] {
  const starts = new Set<number>();
  const wide = diff.includes(0) ? keywords.map((k) => k.split("").join("\0")) : [];
  for (const keyword of [...keywords, ...wide]) {
    const needle = Buffer.from(keyword);
    for (let i = diff.indexOf(needle); i !== -1; i = diff.indexOf(needle, i + needle.length)) starts.add(lineStart(diff, i));
  }
  return [...starts].sort((a, b) => a - b);
}

/** The added lines of the hunk from `start` on, without their `+`, up to `max` bytes: a key's block. */
export function addedFrom(diff: Buffer, start: number, hunk: Hunk, max: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = start; i < hunk.end && diff[i] === PLUS && size < max; ) {
    const eol = diff.indexOf(NL, i);
    const end = eol === -1 || eol > hunk.end ? hunk.end : eol;
    lines.push(lineText(diff, i + 1, end));
    size += end - i;
    i = end + 1;
  }
  return lines.join("\n");
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
