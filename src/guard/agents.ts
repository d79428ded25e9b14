import type { Env } from "../base/env.ts";

export interface AgentSign {
  agent: string;
  /** The variable the agent sets in every command it runs. */
  env: string;
  /** When set, the variable's value must match; else any value but empty or "0" counts. */
  value?: RegExp;
}

/**
 * How agents give themselves away to a git hook. Aider marks authorship
 * instead: it commits as `Name (aider)`, and git hands the author and
 * committer names to every hook as GIT_AUTHOR_NAME / GIT_COMMITTER_NAME.
 */
export const AGENT_SIGNS: readonly AgentSign[] = [
  { agent: "Claude Code", env: "CLAUDECODE" },
  { agent: "Claude Code", env: "CLAUDE_CODE_ENTRYPOINT" },
  { agent: "Claude Agent SDK", env: "CLAUDE_AGENT_SDK_VERSION" },
  { agent: "Codex", env: "CODEX_SANDBOX" },
  { agent: "Codex", env: "CODEX_THREAD_ID" },
  { agent: "Cursor agent", env: "CURSOR_AGENT" },
  { agent: "Gemini CLI", env: "GEMINI_CLI" },
  { agent: "an AI agent", env: "AI_AGENT" },
  { agent: "Aider", env: "GIT_AUTHOR_NAME", value: /\(aider\)/ },
  { agent: "Aider", env: "GIT_COMMITTER_NAME", value: /\(aider\)/ },
];

/** The agent making this commit, named by the first sign present; null for a person. */
export function detectAgent(env: Env): AgentSign | null {
  for (const sign of AGENT_SIGNS) {
    const value = env[sign.env];
    if (!value) continue;
    if (sign.value ? sign.value.test(value) : value !== "0") return sign;
  }
  return null;
}

/**
 * Switches other hook managers honour to skip hooks. People may use them;
 * agents may not: an agent told "the hook failed, set SKIP" must not get through.
 */
export function skipSwitch(env: Env): string | null {
  if (env.SKIP?.split(",").some((id) => id.trim() === "iclaude")) return "SKIP=iclaude";
  if (env.HUSKY === "0") return "HUSKY=0";
  if (env.LEFTHOOK === "0") return "LEFTHOOK=0";
  return null;
}
