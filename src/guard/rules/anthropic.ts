import { ANTHROPIC_KIND_PREFIX, ANTHROPIC_PREFIX, anthropicToken } from "../../base/secrets.ts";
import { fakeBody } from "./fake.ts";
import { MIN_TOKEN_ENTROPY, type TokenRule } from "./shape.ts";

/**
 * Anthropic's shapes are `sk-ant-<kind><NN>-<body>`, the body URL-safe base64
 * (95 characters in every token seen: oat01, ort01, api03, admin01, sid01).
 * Any two-digit version counts (api04, admin03), and a kind not known yet is
 * still caught. A body under 32 characters is a truncated or made-up example
 * (`sk-ant-oat01-…`); 32 is a third of a real one and still 192 bits. No
 * boundary is needed before `sk-ant-`: nothing else starts that way, so a
 * token is found after `\n` in a JSON transcript or `%20` in a URL as well.
 */
const BODY = "[A-Za-z0-9_-]{32,}";
const KINDS = ["oat", "ort", "sid", "api", "admin"];

const token = (kind: string, body = `${fakeBody(93, kind.length)}AA`) => `sk-ant-${kind}-${body}`;

/** The placeholders README files hold, which must not block a commit. */
const placeholders = (kind: string): string[] => [
  `sk-ant-${kind}-${"X".repeat(95)}`,
  `sk-ant-${kind}-${"x".repeat(93)}AA`,
  `sk-ant-${kind}-your-token-goes-here-replace`,
  `sk-ant-${kind}-your-token-goes-here-replace-it-with-the-real-one`,
  `sk-ant-${kind}-xxxx…AA`,
  `sk-ant-${kind}-…wxyz`,
  `sk-ant-${kind}-abcdefghijklmnopqrstuvwxyz0123456789`,
  `sk-ant-${kind}-REDACTED_${fakeBody(30, 9)}`,
];

function rule(id: string, label: string, kind: string, versions: string[]): TokenRule {
  const kindRe = kind === "other" ? `(?!(?:${KINDS.join("|")})\\d)[a-z]+` : kind;
  return {
    kind: "token",
    id,
    label,
    keywords: [ANTHROPIC_PREFIX],
    pattern: anthropicToken(kindRe, BODY),
    prefix: ANTHROPIC_KIND_PREFIX,
    minEntropy: MIN_TOKEN_ENTROPY,
    samples: () => ({
      match: versions.flatMap((v) => [
        token(v),
        `"${token(v)}"`,
        `<apiKey>${token(v)}</apiKey>`,
        `https://x.test/?key=${token(v)}&v=2`,
        `a,${token(v)},b`,
        `Config(apiKey=${token(v)})`,
        `{AQAAABAAA ${token(v)}}`,
        `{"text":"line\\n${token(v)}\\r\\n"}`,
        `curl -H Authorization:%20Bearer%20${token(v)}`,
        `${token(v)}x`,
      ]),
      noMatch: versions.flatMap(placeholders).concat(["sk-ant- keys start this way", `sk-ant-${versions[0]}-short`]),
    }),
  };
}

export const ANTHROPIC_RULES: readonly TokenRule[] = [
  rule("claude-oauth-access-token", "Claude OAuth access token", "oat", ["oat01", "oat02"]),
  rule("claude-oauth-refresh-token", "Claude OAuth refresh token", "ort", ["ort01"]),
  rule("claude-session-key", "claude.ai session key", "sid", ["sid01", "sid02"]),
  rule("anthropic-api-key", "Anthropic API key", "api", ["api03", "api04"]),
  rule("anthropic-admin-api-key", "Anthropic admin API key", "admin", ["admin01", "admin03"]),
  rule("anthropic-key-other", "Anthropic key of an unknown kind", "other", ["xyz01"]),
];
