import { closest } from "../base/did-you-mean.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { type ArgSpec, commandLine } from "../ui/command-node.ts";
import type { CommandNode } from "./tree.ts";

const usage = (sentence: string): IclaudeError => new IclaudeError(sentence, EXIT.usage);
const helpHint = (node: CommandNode): string => `see \`${commandLine(node)} --help\``;
const clip = (word: string): string => (word.length > 40 ? `${word.slice(0, 40)}…` : word);

/** Every spelling a flag of `node` answers to, each with the argument it sets. */
function flagForms(node: CommandNode): Map<string, { arg: ArgSpec; negated: boolean }> {
  const forms = new Map<string, { arg: ArgSpec; negated: boolean }>();
  for (const arg of node.args) {
    if (arg.kind === "positional") continue;
    for (const name of [arg.name, ...arg.aliases]) forms.set(name.length === 1 ? `-${name}` : `--${name}`, { arg, negated: false });
    if (arg.kind === "boolean") forms.set(`--no-${arg.name}`, { arg, negated: true });
  }
  return forms;
}

function unknownFlag(node: CommandNode, flag: string, forms: Map<string, unknown>): IclaudeError {
  const shown = [...forms.keys()].filter((f) => f.startsWith("--"));
  const near = closest(flag, shown, (f) => f.replace(/^--/, ""));
  const what = `\`${clip(flag)}\` is not an option of \`${commandLine(node)}\``;
  return usage(near ? `${what}; did you mean \`${near}\`?` : `${what}; ${helpHint(node)}.`);
}

/** Checks one command's own words (no subcommands): flags it knows, values where they are needed, positionals it takes. */
function checkLeaf(node: CommandNode, args: readonly string[]): void {
  const forms = flagForms(node);
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === undefined) break;
    if (word === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      positionals.push(word);
      continue;
    }
    const [flag, inline] =
      word.startsWith("--") && word.includes("=") ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)] : [word, undefined];
    const clustered = !flag.startsWith("--") && flag.length > 2 ? [...flag.slice(1)].map((c) => `-${c}`) : [flag];
    for (const one of clustered) {
      const form = forms.get(one);
      if (!form) throw unknownFlag(node, one, forms);
      if (form.arg.kind === "boolean") {
        if (inline !== undefined) throw usage(`\`${flag}\` takes no value; ${helpHint(node)}.`);
        continue;
      }
      if (inline !== undefined) continue;
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--") || clustered.length > 1) {
        throw usage(`\`${one}\` needs a value${form.arg.valueHint ? ` (like ${form.arg.valueHint})` : ""}; ${helpHint(node)}.`);
      }
      i++;
    }
  }
  const specs = node.args.filter((a) => a.kind === "positional");
  for (const [index, spec] of specs.entries()) {
    const value = positionals[index];
    const choices = spec.choices ? `: ${spec.choices.join(", ")}` : "";
    if (value === undefined) {
      if (spec.required) throw usage(`\`${commandLine(node)}\` needs ${spec.name.toUpperCase()}${choices}; ${helpHint(node)}.`);
      continue;
    }
    if (spec.choices && !spec.choices.includes(value)) {
      const near = closest(value, spec.choices);
      throw usage(
        `\`${commandLine(node)}\` does not know ${spec.name} "${clip(value)}"${near ? `; did you mean \`${near}\`?` : `; use one of ${spec.choices.join(", ")}.`}`,
      );
    }
  }
  const extra = positionals[specs.length];
  if (extra !== undefined && !node.help.extraWords) {
    const takes = specs.length === 0 ? "takes no arguments" : `takes ${specs.map((s) => s.name.toUpperCase()).join(" ")} only`;
    throw usage(`\`${commandLine(node)}\` ${takes}, so "${clip(extra)}" is one too many; ${helpHint(node)}.`);
  }
}

/** The index of the first word that names a subcommand, skipping the parent's own flags. */
const subcommandIndex = (args: readonly string[]): number => args.findIndex((a) => !a.startsWith("-"));

/**
 * Checks the words after an own command against its definition before anything runs: an
 * unknown flag or command, a missing value or a word too many is exit 2 with one sentence (and a
 * did-you-mean when something is close), never a run on a guess. Returns the command that will run.
 */
export function checkArgv(node: CommandNode, args: readonly string[]): CommandNode {
  if (node.subs.length === 0) {
    checkLeaf(node, args);
    return node;
  }
  const at = subcommandIndex(args);
  const names = node.subs.map((s) => s.path.at(-1) ?? "");
  const [first] = args;
  if (at < 0 || first === undefined) throw usage(`\`${commandLine(node)}\` needs a command: ${names.join(" or ")}; ${helpHint(node)}.`);
  if (at > 0) throw unknownFlag(node, first, flagForms(node));
  const name = first;
  const sub = node.subs.find((s) => s.path.at(-1) === name);
  const meant = node.help.otherWords?.[name];
  if (!sub && meant) throw usage(`\`${commandLine(node)} ${clip(name)}\` is spelled \`${meant}\`; run that.`);
  if (!sub) {
    const near = closest(name, names);
    const what = `\`${commandLine(node)}\` has no command "${clip(name)}"`;
    throw usage(near ? `${what}; did you mean \`${commandLine(node)} ${near}\`?` : `${what}: use ${names.join(" or ")}.`);
  }
  return checkArgv(sub, args.slice(at + 1));
}

/**
 * The arguments citty would hand a command that takes positionals only, when every word is one:
 * such a command needs no parser, so it runs without loading citty and the node:util its parser
 * loads (about 2 ms, which git pays on every commit for `hooks run`). Null when citty must parse,
 * or has more to run than the leaf's `run` (a setup, a cleanup, a parent's own run).
 * `node` is what checkArgv returned for `root`, so the words are already checked.
 */
export function positionalArgs(root: CommandNode, node: CommandNode, args: readonly string[]): Record<string, unknown> | null {
  const words = args.slice(node.path.length - 1);
  const more = (def: CommandNode["def"]): boolean => Boolean(def.setup || def.cleanup || def.plugins?.length);
  if (more(root.def) || more(node.def) || (root !== node && root.def.run)) return null;
  if (node.args.some((a) => a.kind !== "positional" || a.hasDefault)) return null;
  if (words.some((w) => w.startsWith("-"))) return null;
  const parsed: Record<string, unknown> = { _: [...words] };
  for (const [index, spec] of node.args.entries()) if (words[index] !== undefined) parsed[spec.name] = words[index];
  return parsed;
}

/** The command `--help` is about: the deepest subcommand the words name. */
export function helpTarget(node: CommandNode, args: readonly string[]): CommandNode {
  const at = subcommandIndex(args);
  const sub = at < 0 ? undefined : node.subs.find((s) => s.path.at(-1) === args[at]);
  return sub ? helpTarget(sub, args.slice(at + 1)) : node;
}

/** `--help` or `-h` among the words before `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/**
 * Every value of a flag given more than once (`--profile A --profile B`, or `--profile=A`): citty
 * 0.2.2 has no multiple-value argument (its parser hands node:util's parseArgs no `multiple`, so
 * the last value wins), so a command that takes a list reads it from its raw words with this.
 * checkArgv has already checked the words, so every `--NAME` here has its value.
 */
export function repeated(rawArgs: readonly string[], name: string): string[] {
  const values: string[] = [];
  rawArgs.forEach((arg, i) => {
    if (arg === `--${name}` && rawArgs[i + 1] !== undefined) values.push(rawArgs[i + 1] as string);
    else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
  });
  return values;
}
