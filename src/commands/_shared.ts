import type { ArgsDef, CommandDef, defineCommand } from "citty";
import { EXIT, IclaudeError } from "../base/errors.ts";
import type { CommandHelp, HelpNode } from "../ui/command-node.ts";

export type { CommandHelp } from "../ui/command-node.ts";

/** A command as the table holds it: citty's definition plus what its help shows beyond the options. */
export type IclaudeCommand = CommandDef<ArgsDef> & { help?: CommandHelp };

/** The command table: each command loaded on first use. */
export type CommandTable = Record<string, () => Promise<IclaudeCommand>>;

/** What cli/main.ts hands every command through citty's `data`: the whole resolved tree, for init and completion. */
export interface CommandData {
  commandTree(): Promise<HelpNode[]>;
}

/**
 * citty's own `defineCommand`: its type, and the identity it is. Written here, not imported from
 * citty, because importing it loads citty and the node:util its parser needs with every command,
 * `hooks run` too, which git waits on at every commit (test/architecture.test.ts keeps citty off
 * that path). citty is loaded only where it parses (cli/main.ts).
 */
export const command: typeof defineCommand = (def) => def;

/** The one of `names` (a table's keys) a flag picks; none: null. More than one: a usage error naming them. */
export function oneFlag<N extends string>(names: readonly N[], args: Partial<Record<N, boolean | undefined>>): N | null {
  const picked = names.filter((name) => args[name] === true);
  if (picked.length > 1) {
    const which = names.length === 2 ? "both" : picked.map((n) => `--${n}`).join(" and ");
    throw new IclaudeError(`Choose one of ${names.map((n) => `--${n}`).join(", ")}, not ${which}.`, EXIT.usage);
  }
  return picked[0] ?? null;
}

/** A citty command with its help; citty ignores the extra field. */
export const withHelp = <T extends ArgsDef>(def: CommandDef<T>, help: CommandHelp): CommandDef<T> & { help: CommandHelp } => Object.assign(def, { help });

/** Argument fragments shared by commands; each names the environment variable it overrides. */
export const outputArgs = {
  json: { type: "boolean", description: "Print one JSON object on stdout instead of a sentence" },
  quiet: { type: "boolean", alias: "q", description: "Print nothing on stdout; errors still go to stderr, the exit code tells" },
} as const satisfies ArgsDef;

export const clockArgs = {
  threshold: {
    type: "string",
    valueHint: "7d",
    description: "Warn when the login ends within this (env ICLAUDE_THRESHOLD)",
  },
  "refresh-margin": {
    type: "string",
    valueHint: "1h",
    description: "Refresh when the access token has less than this left (env ICLAUDE_REFRESH_MARGIN)",
  },
} as const satisfies ArgsDef;

/** The settings every command that judges the login reads. */
export const CLOCK_ENV = [
  "ICLAUDE_THRESHOLD",
  "ICLAUDE_REFRESH_MARGIN",
  "ICLAUDE_STORE",
  "CLAUDE_CONFIG_DIR",
  "CLAUDE_SECURESTORAGE_CONFIG_DIR",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "ICLAUDE_STATE_DIR",
  "ICLAUDE_CONFIG",
  "ICLAUDE_SECURITY_BIN",
];
export const CLOCK_CONFIG = ["threshold", "refresh_margin", "store"];
export const REFRESH_ENV = [
  ...CLOCK_ENV,
  "ICLAUDE_COOLDOWN",
  "ICLAUDE_TOKEN_URL",
  "ICLAUDE_CLIENT_ID",
  "ICLAUDE_USER_AGENT",
  "ICLAUDE_CLAUDE_BIN",
  "ICLAUDE_DEBUG",
];
export const REFRESH_CONFIG = [...CLOCK_CONFIG, "cooldown", "token_url", "client_id", "claude_bin"];

/** refresh's and token's exit codes beyond 0. */
export const REFRESH_EXITS: [string, string][] = [
  [String(EXIT.loginRequired), "a person must log in again (no fallback possible)"],
  [String(EXIT.refreshFailed), "the refresh failed after retries; the old login was kept"],
  [String(EXIT.cooldown), "skipped: a refresh of this token failed less than ICLAUDE_COOLDOWN ago"],
  [String(EXIT.lockTimeout), "Claude Code's refresh lock was not had in time"],
];
