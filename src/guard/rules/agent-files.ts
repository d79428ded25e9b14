import { fakeBody } from "./fake.ts";
import { type FileRule, isPlaceholder, MIN_TOKEN_ENTROPY } from "./shape.ts";

/**
 * The files agent CLIs keep their login in, recognised by their JSON whatever
 * they are called: a copy in a fixture or a backup is as live as the original.
 * Each is judged once from the staged file's whole content.
 */
type Data = Record<string, unknown>;

const isObject = (v: unknown): v is Data => v !== null && typeof v === "object" && !Array.isArray(v);
/** A value that is a secret, not an empty field or a `"<your token>"` stand-in (no token holds a space). */
const isSecret = (v: unknown): boolean => typeof v === "string" && v.length >= 20 && !/\s/.test(v) && !isPlaceholder(v, MIN_TOKEN_ENTROPY);

const jwt = (seed: number) => `eyJ${fakeBody(30, seed)}.eyJ${fakeBody(120, seed + 1)}.${fakeBody(43, seed + 2)}`;

export const AGENT_FILE_RULES: readonly FileRule[] = [
  {
    kind: "file",
    id: "claude-credentials-file",
    label: "Claude Code credentials file (.credentials.json)",
    keywords: ["claudeAiOauth"],
    judge: (data) => isObject(data.claudeAiOauth),
    samples: () => ({
      match: [
        JSON.stringify({ claudeAiOauth: { accessToken: "", refreshToken: "", expiresAt: 0 } }, null, 2),
        `\uFEFF${JSON.stringify({ claudeAiOauth: {} })}`,
      ],
      noMatch: ['{"doc": "claudeAiOauth"}', "claudeAiOauth is the key Claude Code uses"],
    }),
  },
  {
    kind: "file",
    id: "claude-account-file",
    label: "Claude Code account file (.claude.json)",
    keywords: ["oauthAccount"],
    judge: (data) => isObject(data.oauthAccount),
    samples: () => ({ match: ['{"oauthAccount": {"emailAddress": "a@b.c"}}'], noMatch: ['{"oauthAccount": null}'] }),
  },
  {
    kind: "file",
    id: "codex-auth-file",
    label: "Codex CLI login (auth.json)",
    // Its API-key-only form holds an OpenAI key, which the token rule finds; so refresh_token is keyword enough.
    keywords: ["refresh_token"],
    judge: (data) => isSecret(data.OPENAI_API_KEY) || (isObject(data.tokens) && (isSecret(data.tokens.refresh_token) || isSecret(data.tokens.access_token))),
    samples: () => ({
      match: [
        JSON.stringify(
          {
            OPENAI_API_KEY: null,
            tokens: { id_token: jwt(1), access_token: jwt(4), refresh_token: `rt_${fakeBody(60, 7)}`, account_id: "acc" },
            last_refresh: "2026-11-30T10:00:00Z",
          },
          null,
          2,
        ),
        JSON.stringify({ OPENAI_API_KEY: `sk-proj-${fakeBody(100, 8)}` }),
      ],
      noMatch: [
        JSON.stringify({ OPENAI_API_KEY: null, tokens: null }),
        JSON.stringify({ OPENAI_API_KEY: "sk-your-key-goes-here-replace-me", tokens: { refresh_token: "<your refresh token here>" } }),
      ],
    }),
  },
  {
    kind: "file",
    id: "google-oauth-file",
    label: "Google OAuth login (Gemini CLI's oauth_creds.json, gcloud's authorized_user)",
    keywords: ["refresh_token"],
    judge: (data) => isSecret(data.refresh_token) && ("access_token" in data || "expiry_date" in data || "client_id" in data || "token_type" in data),
    samples: () => ({
      match: [
        JSON.stringify(
          {
            access_token: `ya29.a0${fakeBody(150, 9)}`,
            refresh_token: `1//0${fakeBody(100, 10)}`,
            scope: "openid",
            token_type: "Bearer",
            expiry_date: 1796000000000,
          },
          null,
          2,
        ),
        JSON.stringify({ client_id: "x.apps.googleusercontent.com", client_secret: "y", refresh_token: `1//0${fakeBody(100, 11)}`, type: "authorized_user" }),
      ],
      noMatch: [
        JSON.stringify({ refresh_token: "", token_type: "Bearer" }),
        JSON.stringify({ grant_type: "refresh_token", refresh_token: "REPLACE_WITH_YOUR_REFRESH_TOKEN" }),
      ],
    }),
  },
];
