/**
 * What every rule shares: the one `Rule` shape, how a secret is told from a
 * placeholder, and how one is shown masked.
 */

/** Test-only samples every rule must meet (gitleaks' tps / fps), built at run time so no real-looking token is committed. */
export interface Samples {
  match: string[];
  noMatch: string[];
}

interface RuleBase {
  id: string;
  label: string;
  /** A line (or file) must hold one of these before the rule looks at it: gitleaks' keyword prefilter. */
  keywords: readonly string[];
  samples(): Samples;
}

/** A secret on one line, found by a regular expression. */
export interface TokenRule extends RuleBase {
  kind: "token";
  /** Global; the whole match is the secret. */
  pattern: RegExp;
  /** The leading part that names the kind (`sk-ant-oat01-`): shown, and left out of the entropy. */
  prefix: RegExp;
  /** Bits per character the body must reach; see MIN_TOKEN_ENTROPY. */
  minEntropy: number;
}

/** A secret that spans lines from a header (a private key): `find` gets the header line and the text from it on. */
export interface BlockRule extends RuleBase {
  kind: "block";
  /** What to show (the header), or null when there is no real block there. */
  find(line: string, fromLine: string): string | null;
}

/** A whole file recognised by its JSON content (a CLI's saved login), whatever its name. */
export interface FileRule extends RuleBase {
  kind: "file";
  judge(data: Record<string, unknown>): boolean;
}

export type Rule = TokenRule | BlockRule | FileRule;

/**
 * A random body over a 64-symbol alphabet: in 100,000 random 32-character
 * bodies (the shortest any rule accepts) the lowest entropy was 3.78 bits,
 * 95-character ones (Claude's tokens) never fell below 5.0. 3.5 is gitleaks'
 * own figure for its generic rules; it rejects runs and repeats (`XXXX…` is
 * 0, `abab…` is 1) and leaves wordy placeholders to `isPlaceholder`.
 */
export const MIN_TOKEN_ENTROPY = 3.5;

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Words people put where a token goes. Each is six letters or more, so a
 * random 95-character body holds one by chance about once in ten million
 * (`sample`, the shortest: 90 places x (2/64)^6).
 */
const PLACEHOLDER_WORDS =
  /replace|example|placeholder|redacted|changeme|sample|your[-_ ]?(?:own[-_ ]?)?(?:token|key|secret)|(?:goes|token|key)[-_ ]?here|insert[-_ ]?(?:your|token|key)/i;

/** Six equal characters in a row, or six ascending ones (`abcdef`, `123456`): typed, not drawn at random (by chance: under 10^-7 each). */
function hasRun(text: string): boolean {
  let same = 1;
  let up = 1;
  for (let i = 1; i < text.length; i++) {
    same = text[i] === text[i - 1] ? same + 1 : 1;
    up = text.charCodeAt(i) === text.charCodeAt(i - 1) + 1 ? up + 1 : 1;
    if (same >= 6 || up >= 6) return true;
  }
  return false;
}

/** A body that a person typed to stand for a secret. */
export function isPlaceholder(body: string, minEntropy: number): boolean {
  return PLACEHOLDER_WORDS.test(body) || hasRun(body) || entropy(body) < minEntropy;
}

/** `sk-ant-oat01-…wxyz`: the kind and the last four, enough to tell tokens apart, never enough to use one. */
export function mask(secret: string, prefix: RegExp): string {
  const head = prefix.exec(secret)?.[0] ?? "";
  return secret.length > head.length + 8 ? `${head}…${secret.slice(-4)}` : `${head}…`;
}

/**
 * Before a token: not a letter or digit (so `task-proj-…` is no OpenAI key),
 * except where the letter ends an escape — `\n`, `\u0022`, `%20` — as in
 * JSON transcripts, asciinema casts and URL-encoded logs.
 */
export const START = String.raw`(?:(?<![A-Za-z0-9])|(?<=\\[nrt]|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|%[0-9A-Fa-f]{2}))`;

/** After a fixed-length token: not one more body character. Anything else ends it: `<`, `&`, `,`, `)`, `}`, an escape. */
export const END = "(?![A-Za-z0-9_-])";
