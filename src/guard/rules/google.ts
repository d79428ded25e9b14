import { fakeBody } from "./fake.ts";
import { END, MIN_TOKEN_ENTROPY, START, type TokenRule } from "./shape.ts";

/**
 * Google's tokens, the login of Gemini CLI: its `oauth_creds.json` holds a
 * refresh token (`1//0…`, about 100 characters) and an access token
 * (`ya29.…`); `GEMINI_API_KEY` is a Google API key (`AIza` + 35, gitleaks'
 * gcp-api-key). Minimum lengths are well under the real ones so a shortened
 * copy is still caught; `1//0` and `ya29.` need START so `x1//0` in code is not.
 */
const refresh = (seed: number) => `1//0${fakeBody(2, seed)}${fakeBody(98, seed + 1)}`;
const access = (seed: number) => `ya29.a0${fakeBody(150, seed)}`;
const apiKey = (seed: number) => `AIza${fakeBody(35, seed)}`;

export const GOOGLE_RULES: readonly TokenRule[] = [
  {
    kind: "token",
    id: "google-oauth-refresh-token",
    label: "Google OAuth refresh token",
    keywords: ["1//0"],
    pattern: new RegExp(`${START}1//0[A-Za-z0-9_-]{40,}`, "g"),
    prefix: /^1\/\/0/,
    minEntropy: MIN_TOKEN_ENTROPY,
    samples: () => ({
      match: [refresh(1), `"refresh_token": "${refresh(3)}"`, `\\n${refresh(5)}`],
      noMatch: ["x = 1//0 comment", `1//0${"A".repeat(60)}`, `v1//0${fakeBody(60, 7)}`],
    }),
  },
  {
    kind: "token",
    id: "google-oauth-access-token",
    label: "Google OAuth access token",
    keywords: ["ya29."],
    pattern: new RegExp(`${START}ya29\\.[A-Za-z0-9_-]{50,}`, "g"),
    prefix: /^ya29\./,
    minEntropy: MIN_TOKEN_ENTROPY,
    samples: () => ({
      match: [access(9), `Authorization: Bearer ${access(11)}`],
      noMatch: ["ya29.example", `ya29.${"x".repeat(80)}`],
    }),
  },
  {
    kind: "token",
    id: "google-api-key",
    label: "Google API key",
    keywords: ["AIza"],
    pattern: new RegExp(`${START}AIza[A-Za-z0-9_-]{35}${END}`, "g"),
    prefix: /^AIza/,
    minEntropy: MIN_TOKEN_ENTROPY,
    samples: () => ({
      match: [apiKey(13), `GEMINI_API_KEY=${apiKey(15)}`, `"key":"${apiKey(17)}"`],
      noMatch: [`AIza${"X".repeat(35)}`, `${apiKey(19)}x`, "AIzaSyYourApiKeyGoesHereReplaceThisNow1"],
    }),
  },
];
