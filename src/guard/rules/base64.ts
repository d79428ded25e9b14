import { ANTHROPIC_PREFIX } from "../../base/secrets.ts";

/**
 * What is looked for inside base64: `sk-ant-` at each of the three byte
 * alignments (a token in a credentials JSON sits anywhere in it), without the
 * characters that depend on its neighbours — how it reads inside a Kubernetes
 * Secret's `data:` — and `-----BEGIN` at the start (a Kubernetes `tls.key`, `base64 key.pem`).
 * Each needle is a memmem pass over every staged file, so there are few.
 * Written out, not computed: Buffer's base64 costs the first run about 0.6 ms,
 * which every commit would pay; the unit tests derive them again.
 */
export const BASE64_NEEDLES: readonly string[] = ["c2stYW50L", "NrLWFudC", "zay1hbnQt", "LS0tLS1CRUdJT"];

/**
 * `base64 -w 76` (or PEM's 64) cuts a token's base64 anywhere, so a needle
 * must lie in every piece a cut can leave: a token's 144 characters always
 * keep a piece of 64 whole, and 16-character needles 48 apart put one in any
 * such piece. Two per alignment for a Claude token.
 */
const NEEDLE = 16;
const PIECE = 64;

/** The base64 of `token` at each byte alignment, without the characters its neighbours change. */
function alignedBase64(token: string): string[] {
  return [0, 1, 2].map((k) => btoa("\0".repeat(k) + token).slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + token.length)) / 6)));
}

const ownNeedles = new Map<string, string[]>();

/** Needles that find each of the user's own tokens in base64 at any alignment, wrapped at 64 columns or more or not at all. */
export function ownBase64Needles(tokens: readonly string[]): string[] {
  return tokens.flatMap((token) => {
    let needles = ownNeedles.get(token);
    if (!needles) {
      needles = alignedBase64(token).flatMap((encoded) => {
        if (encoded.length < PIECE) return [encoded.slice(0, NEEDLE)];
        const out: string[] = [];
        for (let at = PIECE - NEEDLE; ; at += PIECE - NEEDLE) {
          out.push(encoded.slice(Math.min(at, encoded.length - NEEDLE), Math.min(at, encoded.length - NEEDLE) + NEEDLE));
          if (at >= encoded.length - PIECE) break;
        }
        return out;
      });
      ownNeedles.set(token, needles);
    }
    return needles;
  });
}

/** Line breaks inside a run of base64: `base64`'s wrapping, undone. */
const WRAP = /([A-Za-z0-9+/])[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9+/=])/g;

/**
 * Base64 runs holding a needle, decoded at the alignment that shows a token,
 * a key or one of `own`. `line` holds the needle; `text()` is the line with the
 * wrapped lines around it, asked for only when the line holds one.
 */
export function decodedBase64(line: string, text: () => string, own: readonly string[]): string[] {
  const needles = [...BASE64_NEEDLES, ...ownBase64Needles(own)];
  if (!needles.some((n) => line.includes(n))) return [];
  const out: string[] = [];
  for (const [run] of text().replace(WRAP, "$1").matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)) {
    if (!needles.some((n) => run.includes(n))) continue;
    for (let skip = 0; skip < 4; skip++) {
      const decoded = Buffer.from(run.slice(skip), "base64").toString("latin1");
      if (decoded.includes(ANTHROPIC_PREFIX) || decoded.includes("PRIVATE KEY") || own.some((t) => decoded.includes(t))) {
        out.push(decoded);
        break;
      }
    }
  }
  return out;
}
