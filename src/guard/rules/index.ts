import { ANTHROPIC_PREFIX, maskToken } from "../../base/secrets.ts";
import { AGENT_FILE_RULES } from "./agent-files.ts";
import { ANTHROPIC_RULES } from "./anthropic.ts";
import { GOOGLE_RULES } from "./google.ts";
import { OPENAI_RULES } from "./openai.ts";
import { PRIVATE_KEY_RULES } from "./private-keys.ts";
import { isPlaceholder, mask, type FileRule, type Rule } from "./shape.ts";

/**
 * The guard's rule table and the one engine that applies it to a line. A
 * rule's regex runs only on a line holding one of its keywords, so a diff of
 * 20 MB costs a few memmem searches.
 */
export const TOKEN_RULES = [...ANTHROPIC_RULES, ...OPENAI_RULES, ...GOOGLE_RULES];
export const ALL_RULES: readonly Rule[] = [...TOKEN_RULES, ...PRIVATE_KEY_RULES, ...AGENT_FILE_RULES];

export const EXACT_TOKEN = { id: "claude-current-token", label: "your current Claude login token" } as const;
export const INLINE_ALLOW = "iclaude:allow";

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

/** Every string a line must hold for any rule to fire. */
export const STATIC_KEYWORDS = [...new Set([...ALL_RULES.flatMap((r) => r.keywords), ...BASE64_NEEDLES])];

export interface LineHit {
  id: string;
  label: string;
  /** What the output may show: a masked token or a key's header, never a secret. */
  shown: string;
  /** The user's own live token is never a false positive: no allowlist applies. */
  allowable: boolean;
}

/** Secrets of the token rules in `text`, each with the rule that found it. */
function tokenMatches(text: string): Array<{ secret: string; rule: (typeof TOKEN_RULES)[number] }> {
  const found: Array<{ secret: string; rule: (typeof TOKEN_RULES)[number] }> = [];
  for (const rule of TOKEN_RULES) {
    if (!rule.keywords.some((k) => text.includes(k))) continue;
    for (const match of text.matchAll(rule.pattern)) {
      const body = match[0].slice(rule.prefix.exec(match[0])?.[0].length ?? 0);
      if (!isPlaceholder(body, rule.minEntropy)) found.push({ secret: match[0], rule });
    }
  }
  return found;
}

/** Base64 runs holding a needle, decoded at the alignment that shows it. */
function decodedBase64(line: string): string[] {
  if (!BASE64_NEEDLES.some((n) => line.includes(n))) return [];
  const out: string[] = [];
  for (const [run] of line.matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)) {
    if (!BASE64_NEEDLES.some((n) => run.includes(n))) continue;
    for (let skip = 0; skip < 4; skip++) {
      const text = Buffer.from(run.slice(skip), "base64").toString("latin1");
      if (text.includes(ANTHROPIC_PREFIX) || text.includes("PRIVATE KEY")) {
        out.push(text);
        break;
      }
    }
  }
  return out;
}

/** Token rules on one line, inside base64 too; the user's own token is reported once, as such. */
export function tokenHits(line: string, ownTokens: readonly string[]): LineHit[] {
  const hits: LineHit[] = [];
  for (const token of ownTokens) {
    if (line.includes(token)) hits.push({ ...EXACT_TOKEN, shown: maskToken(token), allowable: false });
  }
  const mine = (secret: string) => ownTokens.some((t) => t.includes(secret) || secret.includes(t));
  for (const { secret, rule } of tokenMatches(line)) {
    if (!mine(secret)) hits.push({ id: rule.id, label: rule.label, shown: mask(secret, rule.prefix), allowable: true });
  }
  for (const decoded of decodedBase64(line)) {
    for (const hit of [...tokenHits(decoded, ownTokens), ...blockHits(decoded, () => decoded)]) hits.push({ ...hit, shown: `${hit.shown} (in base64)` });
    const file = fileRuleOf(decoded);
    if (file) hits.push({ id: file.id, label: `${file.label} (in base64)`, shown: "", allowable: true });
  }
  return hits;
}

/** Private keys whose header is on `line`; `fromLine` gives the added text from that line on (a key spans lines). */
export function blockHits(line: string, fromLine: () => string): LineHit[] {
  const hits: LineHit[] = [];
  for (const rule of PRIVATE_KEY_RULES) {
    if (!rule.keywords.some((k) => line.includes(k))) continue;
    const shown = rule.find(line, fromLine());
    if (shown !== null) hits.push({ id: rule.id, label: rule.label, shown, allowable: true });
  }
  return hits;
}

/** Whether a line names a key some file rule judges by, so the file's whole content is worth reading. */
export const mentionsFileKey = (line: string): boolean => AGENT_FILE_RULES.some((r) => r.keywords.some((k) => line.includes(k)));

/** Which saved login `content` is, judged by its JSON (a UTF-8 BOM allowed), or null. */
export function fileRuleOf(content: string): FileRule | null {
  let data: unknown;
  try {
    data = JSON.parse(content.replace(/^\uFEFF/, ""));
  } catch {
    return null;
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  return AGENT_FILE_RULES.find((r) => r.judge(data as Record<string, unknown>)) ?? null;
}

/** `text` with the user's own tokens and whatever any token rule matches masked (placeholders too): for paths, which the output shows. */
export function maskAll(text: string, ownTokens: readonly string[] = []): string {
  let out = text;
  for (const token of ownTokens) out = out.replaceAll(token, maskToken(token));
  for (const rule of TOKEN_RULES) out = out.replace(rule.pattern, (secret) => mask(secret, rule.prefix));
  return out;
}
