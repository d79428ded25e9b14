import type { ArgDef, ArgsDef, CommandDef } from "citty";
import type { CommandTable, IclaudeCommand } from "../commands/_shared.ts";
import type { ArgSpec, HelpNode } from "../ui/command-node.ts";

/*
 * The one resolved command tree: citty's definitions read once into plain nodes. The argument
 * check (argv.ts), help (ui/help.ts) and the completions (ui/completions.ts) all read these nodes,
 * never a definition of their own.
 */

/** A resolved command with its citty definition, for the argument check and the run. */
export interface CommandNode extends HelpNode {
  subs: CommandNode[];
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
export async function commandTree(table: CommandTable): Promise<CommandNode[]> {
  return Promise.all(Object.entries(table).map(async ([name, load]) => resolveNode(await load(), [name])));
}
