/*
 * A command as help and completions read it: plain data, resolved from the command table by
 * cli/tree.ts, so that nothing in ui/ reaches into commands/ or cli/.
 */

/** What a command's help shows beyond its options; the options come from its citty args. */
export interface CommandHelp {
  /** `[command line, what it does]`. */
  examples?: [string, string][];
  /** Environment variables the command reads (described once, in ui/help.ts). */
  env?: string[];
  /** config.toml keys the command reads. */
  config?: string[];
  /** `[exit code, meaning]`. */
  exits?: [string, string][];
  /** Words people type for a command that is spelled otherwise, each with the command line that does it (`uninstall` → `iclaude hooks install --uninstall`). */
  otherWords?: Record<string, string>;
  /** Words the command takes after its positionals, any number of them (what git passes a hook). */
  extraWords?: string;
}

/** One argument as help, completion and the argument check read it. */
export interface ArgSpec {
  name: string;
  kind: "boolean" | "string" | "positional";
  aliases: string[];
  description: string;
  valueHint: string | undefined;
  /** `--no-<name>` is how it is turned off (a boolean on by default, or one with a negativeDescription). */
  negatable: boolean;
  /** A boolean that is on unless `--no-<name>` is given. */
  onByDefault: boolean;
  negativeDescription: string | undefined;
  required: boolean;
  /** It has a default value (set by citty when the word is not given). */
  hasDefault: boolean;
  /** The words a positional takes: its valueHint when written `a|b|c`; else any word. */
  choices: string[] | null;
}

/** A command with its arguments and subcommands resolved: the one shape help and completions read. */
export interface HelpNode {
  /** `["hooks", "run"]`. */
  path: string[];
  description: string;
  args: ArgSpec[];
  subs: HelpNode[];
  help: CommandHelp;
}

/** `iclaude hooks run`. */
export const commandLine = (node: Pick<HelpNode, "path">): string => ["iclaude", ...node.path].join(" ");
