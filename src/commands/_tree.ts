import type { ArgDef, ArgsDef, CommandDef } from "citty";
import type { CommandHelp } from "./_shared.ts";
import type { IclaudeCommand } from "./index.ts";

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
export interface CommandNode {
  /** `["hooks", "run"]`. */
  path: string[];
  description: string;
  args: ArgSpec[];
  subs: CommandNode[];
  help: CommandHelp;
  def: CommandDef<ArgsDef>;
}

type Resolvable<T> = T | Promise<T> | (() => T) | (() => Promise<T>);
const resolve = async <T>(value: Resolvable<T>): Promise<T> => (typeof value === "function" ? (value as () => T | Promise<T>)() : value);

function argSpec(name: string, def: ArgDef): ArgSpec {
  const kind = def.type === "positional" ? "positional" : def.type === "boolean" ? "boolean" : "string";
  const aliases = "alias" in def && def.alias ? [def.alias].flat() : [];
  const negativeDescription = "negativeDescription" in def ? def.negativeDescription : undefined;
  const hint = def.valueHint;
  return {
    name,
    kind,
    aliases,
    description: def.description ?? "",
    valueHint: hint,
    negatable: kind === "boolean" && (def.default === true || negativeDescription !== undefined),
    onByDefault: kind === "boolean" && def.default === true,
    negativeDescription,
    required: kind === "positional" ? def.required !== false && def.default === undefined : def.required === true,
    hasDefault: def.default !== undefined,
    choices: kind === "positional" && hint?.includes("|") ? hint.split("|") : null,
  };
}

export async function resolveNode(def: IclaudeCommand, path: string[]): Promise<CommandNode> {
  const meta = def.meta ? await resolve(def.meta) : {};
  const args = def.args ? await resolve(def.args) : {};
  const subDefs = def.subCommands ? await resolve(def.subCommands) : {};
  const subs: CommandNode[] = [];
  for (const [name, sub] of Object.entries(subDefs)) subs.push(await resolveNode((await resolve(sub)) as IclaudeCommand, [...path, name]));
  return {
    path,
    description: meta.description ?? "",
    args: Object.entries(args).map(([name, arg]) => argSpec(name, arg)),
    subs,
    help: def.help ?? {},
    def,
  };
}

/** Every command of the table, resolved: what `--help` and the completions list. */
export async function commandTree(): Promise<CommandNode[]> {
  const { commands } = await import("./index.ts");
  return Promise.all(Object.entries(commands).map(async ([name, load]) => resolveNode(await load(), [name])));
}

/** `iclaude hooks run`. */
export const commandLine = (node: Pick<CommandNode, "path">): string => ["iclaude", ...node.path].join(" ");
