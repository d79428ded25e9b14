import { describe, expect, test } from "bun:test";
import { AGENT_SIGNS, detectAgent, skipSwitch } from "../../../src/guard/agents.ts";

/** What each agent really sets; one test per row of the table. */
const EXAMPLES: Record<string, string> = {
  CLAUDECODE: "1",
  CLAUDE_CODE_ENTRYPOINT: "cli",
  CLAUDE_AGENT_SDK_VERSION: "0.1.0",
  CODEX_SANDBOX: "seatbelt",
  CODEX_THREAD_ID: "019a-thread",
  CURSOR_AGENT: "1",
  GEMINI_CLI: "1",
  AI_AGENT: "some-agent",
  GIT_AUTHOR_NAME: "Ada Lovelace (aider)",
  GIT_COMMITTER_NAME: "Ada Lovelace (aider)",
};

describe("detectAgent", () => {
  test.each(AGENT_SIGNS.map((sign) => [sign.env, sign.agent]))("%s marks a commit by %s", (env, agent) => {
    expect(EXAMPLES[env]).toBeDefined();
    expect(detectAgent({ [env]: EXAMPLES[env] })?.agent).toBe(agent);
  });

  test("a person's commit: none of the signs, an ordinary author, empty or 0 values", () => {
    expect(detectAgent({})).toBeNull();
    expect(detectAgent({ GIT_AUTHOR_NAME: "Ada Lovelace", CLAUDECODE: "", CURSOR_AGENT: "0" })).toBeNull();
  });
});

describe("skipSwitch", () => {
  test("names SKIP only when it lists iclaude, and HUSKY=0, LEFTHOOK=0", () => {
    expect(skipSwitch({ SKIP: "eslint, iclaude" })).toBe("SKIP=iclaude");
    expect(skipSwitch({ SKIP: "eslint" })).toBeNull();
    expect(skipSwitch({ HUSKY: "0" })).toBe("HUSKY=0");
    expect(skipSwitch({ LEFTHOOK: "0" })).toBe("LEFTHOOK=0");
    expect(skipSwitch({ HUSKY: "1", LEFTHOOK: "1" })).toBeNull();
  });
});
