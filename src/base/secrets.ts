import { createHash } from "node:crypto";

/**
 * Anthropic token shapes: `sk-ant-<kind><2 digits>-<body>` — OAuth access
 * (oat01), OAuth refresh (ort01), API keys (api03), admin keys (admin01).
 * The body alphabet is URL-safe base64.
 */
export const ANTHROPIC_TOKEN = /sk-ant-[a-z]+\d{2}-[A-Za-z0-9_-]{8,}/g;

/** What a token is made of: printable ASCII, no space, nothing a terminal would act on. */
export const PRINTABLE_TOKEN = /^[\x21-\x7e]+$/;

/** `sk-ant-oat01-…wxyz`: enough to tell tokens apart, never enough to use one. */
export function maskToken(token: string): string {
  const prefix = /^sk-ant-[a-z]+\d{2}-/.exec(token)?.[0];
  if (prefix) return `${prefix}…${token.slice(-4)}`;
  return token.length > 8 ? `…${token.slice(-4)}` : "…";
}

/** Replaces every token-shaped string with its mask. */
export function maskSecrets(text: string): string {
  return text.replace(ANTHROPIC_TOKEN, maskToken);
}

/** A stable, non-reversible name for a token, safe to store and log. */
export function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 32);
}
