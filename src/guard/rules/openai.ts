import { ALNUM, fakeBody } from "./fake.ts";
import { END, MIN_TOKEN_ENTROPY, START, type TokenRule } from "./shape.ts";

/**
 * OpenAI keys, the login of Codex CLI (`OPENAI_API_KEY`, or inside its
 * `auth.json`). Every OpenAI key carries `T3BlbkFJ` ("OpenAI" in base64), as
 * gitleaks' openai-api-key relies on: it is the one keyword, so the cheap
 * prefilter needs no `sk-` needle. Project, service-account and admin keys
 * are caught at any length with at least 20 characters either side of it,
 * legacy `sk-` keys in their fixed 20 + marker + 20. `sk-` is a common
 * syllable (`task-proj-…`), hence the START boundary.
 */
const scoped = (kind: string, seed: number) => `sk-${kind}-${fakeBody(74, seed)}T3BlbkFJ${fakeBody(74, seed + 1)}`;
const legacy = (seed: number) => `sk-${fakeBody(20, seed, ALNUM)}T3BlbkFJ${fakeBody(20, seed + 1, ALNUM)}`;

export const OPENAI_RULES: readonly TokenRule[] = [
  {
    kind: "token",
    id: "openai-api-key",
    label: "OpenAI API key",
    keywords: ["T3BlbkFJ"],
    pattern: new RegExp(`${START}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}`, "g"),
    prefix: /^sk-[a-z]+-/,
    minEntropy: MIN_TOKEN_ENTROPY,
    samples: () => ({
      match: [
        scoped("proj", 1),
        `OPENAI_API_KEY="${scoped("svcacct", 3)}"`,
        `{"key":"\\n${scoped("admin", 5)}"}`,
        `sk-proj-${fakeBody(20, 7)}T3BlbkFJ${fakeBody(20, 8)}`,
      ],
      noMatch: [
        `task-proj-${fakeBody(30, 9)}T3BlbkFJ${fakeBody(30, 10)}`,
        `sk-proj-${"x".repeat(30)}T3BlbkFJ${"x".repeat(30)}`,
        "sk-proj-your-openai-key-goes-here-T3BlbkFJ-replace-with-the-real-one",
        "sk-proj-…abcd",
      ],
    }),
  },
  {
    kind: "token",
    id: "openai-legacy-api-key",
    label: "OpenAI API key",
    keywords: ["T3BlbkFJ"],
    pattern: new RegExp(`${START}sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}${END}`, "g"),
    prefix: /^sk-/,
    minEntropy: MIN_TOKEN_ENTROPY,
    samples: () => ({
      match: [legacy(11), `openai.api_key = '${legacy(13)}'`, `?k=${legacy(15)}&x=1`],
      noMatch: [`sk-${"a".repeat(20)}T3BlbkFJ${"b".repeat(20)}`, `disk-${fakeBody(20, 17, ALNUM)}T3BlbkFJ${fakeBody(20, 19, ALNUM)}`, `${legacy(21)}x`],
    }),
  },
];
