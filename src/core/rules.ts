import { maskToken } from "./secrets.ts";

/**
 * The guard's rule table. Every rule names the keyword that must appear on a
 * line before its regex runs (gitleaks' prefilter): a diff of 20 MB holds
 * few such lines, so the regexes touch almost nothing.
 */
export interface TokenRule {
  id: string;
  label: string;
  keyword: string;
  pattern: RegExp;
}

/** gitleaks' token end: a quote, a backtick, whitespace, `;`, an escaped newline, or the end of the line. */
const END = String.raw`(?=[\x60'"\s;]|\\[nr]|$)`;

export const TOKEN_RULES: readonly TokenRule[] = [
  // No public scanner knows Claude Code's OAuth tokens; their body length is not published, so any length from 20.
  { id: "claude-oauth-access-token", label: "Claude OAuth access token", keyword: "sk-ant-oat01-", pattern: /\bsk-ant-oat01-[A-Za-z0-9_-]{20,}/g },
  { id: "claude-oauth-refresh-token", label: "Claude OAuth refresh token", keyword: "sk-ant-ort01-", pattern: /\bsk-ant-ort01-[A-Za-z0-9_-]{20,}/g },
  // gitleaks' anthropic-api-key and anthropic-admin-api-key, unchanged.
  { id: "anthropic-api-key", label: "Anthropic API key", keyword: "sk-ant-api03-", pattern: new RegExp(String.raw`\bsk-ant-api03-[a-zA-Z0-9_\-]{93}AA${END}`, "g") },
  { id: "anthropic-admin-api-key", label: "Anthropic admin API key", keyword: "sk-ant-admin01-", pattern: new RegExp(String.raw`\bsk-ant-admin01-[a-zA-Z0-9_\-]{93}AA${END}`, "g") },
];

export const PRIVATE_KEY = {
  id: "private-key",
  label: "private key",
  keyword: "PRIVATE KEY",
  begin: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/,
  end: /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/,
  /** A header alone (in docs, in a scanner's own source) is not a key: the block must hold a body. */
  minBody: 64,
} as const;

/** Claude Code's files, recognised by content whatever they are called: a top-level key holding an object. */
export const CREDENTIAL_FILES = [
  { id: "claude-credentials-file", label: "Claude Code credentials file (.credentials.json)", keyword: "claudeAiOauth" },
  { id: "claude-account-file", label: "Claude Code account file (.claude.json)", keyword: "oauthAccount" },
] as const;

export const EXACT_TOKEN = { id: "claude-current-token", label: "your current Claude login token" } as const;

/** Every keyword a line must hold before any rule looks at it. */
export const STATIC_KEYWORDS = ["sk-ant-", PRIVATE_KEY.keyword, ...CREDENTIAL_FILES.map((r) => r.keyword)];

export const INLINE_ALLOW = "iclaude:allow";

export interface LineHit {
  id: string;
  label: string;
  /** What the output may show: a masked token or a key's header, never a secret. */
  shown: string;
  /** The user's own live token is never a false positive: no allowlist applies. */
  allowable: boolean;
}

/** Token rules on one line; a user's own token is reported once, as such. */
export function tokenHits(line: string, ownTokens: readonly string[]): LineHit[] {
  const hits: LineHit[] = [];
  for (const token of ownTokens) {
    if (line.includes(token)) hits.push({ ...EXACT_TOKEN, shown: maskToken(token), allowable: false });
  }
  for (const rule of TOKEN_RULES) {
    if (!line.includes(rule.keyword)) continue;
    for (const match of line.matchAll(rule.pattern)) {
      if (ownTokens.some((t) => t.includes(match[0]) || match[0].includes(t))) continue;
      hits.push({ id: rule.id, label: rule.label, shown: maskToken(match[0]), allowable: true });
    }
  }
  return hits;
}

/**
 * A private key block whose header is on `line`: the header, when a body and
 * an end follow. `fromLine` is the file's added text from that line on (a key
 * spans lines, or sits on one line with `\n` escapes).
 */
export function privateKeyHit(line: string, fromLine: string): LineHit | null {
  const begin = PRIVATE_KEY.begin.exec(line);
  if (!begin) return null;
  const after = fromLine.slice(begin.index + begin[0].length);
  const end = PRIVATE_KEY.end.exec(after);
  if (!end) return null;
  const body = after.slice(0, end.index).replace(/\\n/g, "").replace(/[^A-Za-z0-9+/=]/g, "");
  if (body.length < PRIVATE_KEY.minBody) return null;
  return { id: PRIVATE_KEY.id, label: PRIVATE_KEY.label, shown: begin[0], allowable: true };
}

/** Which Claude Code file `content` is, judged by its JSON, or null. */
export function credentialFileRule(content: string): (typeof CREDENTIAL_FILES)[number] | null {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch {
    return null;
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  const record = data as Record<string, unknown>;
  return CREDENTIAL_FILES.find((r) => record[r.keyword] !== null && typeof record[r.keyword] === "object") ?? null;
}
