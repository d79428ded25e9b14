import { maskToken } from "../../base/secrets.ts";
import { AGENT_FILE_RULES } from "./agent-files.ts";
import { ANTHROPIC_RULES } from "./anthropic.ts";
import { BASE64_NEEDLES, decodedBase64 } from "./base64.ts";
import { GOOGLE_RULES } from "./google.ts";
import { OPENAI_RULES } from "./openai.ts";
import { PRIVATE_KEY_RULES } from "./private-keys.ts";
import { type FileRule, isPlaceholder, mask, type Rule } from "./shape.ts";

/**
 * The guard's rule table and the one engine that applies it to a line. A
 * rule's regex runs only on a line holding one of its keywords, so a diff of
 * 20 MB costs a few memmem searches.
 */
export const TOKEN_RULES = [...ANTHROPIC_RULES, ...OPENAI_RULES, ...GOOGLE_RULES];
export const ALL_RULES: readonly Rule[] = [...TOKEN_RULES, ...PRIVATE_KEY_RULES, ...AGENT_FILE_RULES];

export const EXACT_TOKEN = { id: "claude-current-token", label: "your current Claude login token" } as const;
export const INLINE_ALLOW = "iclaude:allow";

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

/**
 * Token rules on one line, inside base64 too; the user's own token is reported
 * once, as such, and so is a piece of it (a token cut by a line break).
 * `around()` is the line with the lines it may be wrapped with (see decodedBase64).
 */
export function tokenHits(line: string, ownTokens: readonly string[], around: () => string = () => line): LineHit[] {
  const hits: LineHit[] = [];
  const own = (token: string): LineHit => ({ ...EXACT_TOKEN, shown: maskToken(token), allowable: false });
  for (const token of ownTokens) if (line.includes(token)) hits.push(own(token));
  for (const { secret, rule } of tokenMatches(line)) {
    const mine = ownTokens.find((t) => t.includes(secret) || secret.includes(t));
    if (!mine) hits.push({ id: rule.id, label: rule.label, shown: mask(secret, rule.prefix), allowable: true });
    else if (!line.includes(mine)) hits.push(own(mine));
  }
  for (const decoded of decodedBase64(line, around, ownTokens, STATIC_KEYWORDS)) {
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
