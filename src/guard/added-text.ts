import { decode, type Hunk, lineStart, NL, PLUS } from "./diff-index.ts";

/* The added text a rule reads beyond its one line: a key's block, a wrapped base64 block, a whole file. */

/** The added lines of the hunk from `start` on, without their `+`, up to `max` bytes: a key's block. */
export function addedFrom(diff: Buffer, start: number, hunk: Hunk, max: number): string {
  const lines: string[] = [];
  const stop = Math.min(hunk.end, start + max);
  for (let i = start; i < stop && diff[i] === PLUS; ) {
    const eol = diff.indexOf(NL, i);
    const end = eol === -1 || eol > stop ? stop : eol;
    lines.push(decode(diff.subarray(i + 1, end)));
    i = end + 1;
  }
  return lines.join("\n");
}

/** A line of a wrapped block: base64 only, the last one as short as it may be. */
const WRAPPED_LINE = /^\s*[A-Za-z0-9+/]+={0,2}\s*$/;

/**
 * The added line at `start` with the added lines of pure base64 before and after it in its hunk,
 * up to `max` bytes each way: a wrapped block (`base64 -w 76`) read whole. `end`: where it stops.
 */
export function wrappedAround(diff: Buffer, start: number, hunk: Hunk, max: number): { text: string; end: number } {
  const isBase64 = (from: number, to: number) => diff[from] === PLUS && WRAPPED_LINE.test(decode(diff.subarray(from + 1, to)));
  let first = start;
  while (first > hunk.body && start - first < max) {
    const previous = lineStart(diff, first - 1);
    if (!isBase64(previous, first - 1)) break;
    first = previous;
  }
  const lineEnd = (at: number): number => {
    const eol = diff.indexOf(NL, at);
    return eol === -1 || eol >= hunk.end ? hunk.end : eol + 1;
  };
  let end = lineEnd(start);
  while (end < hunk.end && end - start < max && isBase64(end, lineEnd(end) - 1)) end = lineEnd(end);
  return { text: addedFrom(diff, first, hunk, end - first), end };
}

/** The diff of a file `path` that adds `content` whole: a commit message, an LFS object, read like any staged file. */
export function addedWhole(path: string, content: Buffer): Buffer {
  const name = /[\n"\\]/.test(path) ? JSON.stringify(path) : path;
  const body = content.toString("latin1").replaceAll("\n", "\n+");
  return Buffer.from(`diff --git a/${name} b/${name}\n+++ b/${name}\n@@ -0,0 +1 @@\n+${body}\n`, "latin1");
}
