/**
 * What is looked for inside base64: `sk-ant-` at each of the three byte
 * alignments (a token in a credentials JSON sits anywhere in it), without the
 * characters that depend on its neighbours — how it reads inside a Kubernetes
 * Secret's `data:` — and `-----BEGIN` at the start (a Kubernetes `tls.key`).
 * Each needle is a memmem pass over every staged file, so there are few.
 * Written out, not computed: Buffer's base64 costs the first run about 0.6 ms,
 * which every commit would pay; the unit tests derive them again.
 */
export const BASE64_NEEDLES: readonly string[] = ["c2stYW50L", "NrLWFudC", "zay1hbnQt", "LS0tLS1CRUdJT"];

/**
 * A line that is base64 and nothing else, long enough not to be a word: the
 * start of a file written by `base64` at any wrap width. Its block is decoded
 * whether or not a needle survived the wrapping (`base64` cuts `sk-ant-`'s
 * base64 in two about once in eight lines).
 */
export const BASE64_LINE = /^\s*[A-Za-z0-9+/]{20,}={0,2}\s*$/;

/** Line breaks inside a run of base64: `base64`'s wrapping, undone. */
const WRAP = /([A-Za-z0-9+/])[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9+/=])/g;

/**
 * Base64 runs holding a needle (or making up a whole line), decoded at the
 * alignment that shows a keyword or one of `own`. `text()` is the line with
 * the wrapped lines around it, asked for only when the line is worth it.
 */
export function decodedBase64(line: string, text: () => string, own: readonly string[], keywords: readonly string[]): string[] {
  const whole = BASE64_LINE.test(line);
  if (!whole && !BASE64_NEEDLES.some((n) => line.includes(n))) return [];
  const out: string[] = [];
  for (const [run] of text()
    .replace(WRAP, "$1")
    .matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)) {
    if (!whole && !BASE64_NEEDLES.some((n) => run.includes(n))) continue;
    for (let skip = 0; skip < 4; skip++) {
      const decoded = Buffer.from(run.slice(skip), "base64").toString("latin1");
      if (keywords.some((k) => decoded.includes(k)) || own.some((t) => decoded.includes(t))) {
        out.push(decoded);
        break;
      }
    }
  }
  return out;
}
