/*
 * Anthropic token shapes, written here once: `sk-ant-<kind><2 digits>-<body>` — OAuth
 * access (oat01), OAuth refresh (ort01), API keys (api03), admin keys (admin01).
 * The body alphabet is URL-safe base64.
 */

/** What every Anthropic token starts with: the guard's keyword before any regex. */
export const ANTHROPIC_PREFIX = "sk-ant-";

/** The kind and version that open a token (`sk-ant-oat01-`): shown in a mask, left out of the guard's entropy. */
export const ANTHROPIC_KIND_PREFIX = /^sk-ant-[a-z]+\d{2}-/;

/** An Anthropic token of this kind (a regex source, e.g. `oat`) with a body matching `body`, anywhere in a text. */
export const anthropicToken = (kind: string, body: string): RegExp => new RegExp(`sk-ant-${kind}\\d{2}-${body}`, "g");

/** Any Anthropic token, as masking looks for it. */
export const ANTHROPIC_TOKEN = anthropicToken("[a-z]+", "[A-Za-z0-9_-]{8,}");

/** What `claude setup-token` prints before the long-lived token. */
export const LONG_LIVED_PREFIX = "sk-ant-oat01-";

/** A whole long-lived token from `claude setup-token`, and nothing else. */
export const LONG_LIVED_TOKEN = /^sk-ant-oat01-[A-Za-z0-9_-]{20,}$/;

/** What a token is made of: printable ASCII, no space, nothing a terminal would act on. */
export const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;

/** `sk-ant-oat01-…wxyz`: enough to tell tokens apart, never enough to use one. */
export function maskToken(token: string): string {
  const prefix = ANTHROPIC_KIND_PREFIX.exec(token)?.[0];
  if (prefix) return `${prefix}…${token.slice(-4)}`;
  return token.length > 8 ? `…${token.slice(-4)}` : "…";
}

/** Replaces every token-shaped string with its mask. */
export function maskSecrets(text: string): string {
  return text.replace(ANTHROPIC_TOKEN, maskToken);
}

/**
 * SHA-256 in hex. Bun's native hasher, not node:crypto: loading that module costs
 * every run about 4 ms, and a commit hook or a prompt pays it.
 */
export const sha256Hex = (text: string): string => new Bun.CryptoHasher("sha256").update(text).digest("hex");

/** A stable, non-reversible name for a token, safe to store and log. */
export function fingerprint(token: string): string {
  return sha256Hex(token).slice(0, 32);
}
