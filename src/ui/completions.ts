import completeBash from "../../shell/complete.bash" with { type: "text" };
import completeFish from "../../shell/complete.fish" with { type: "text" };
import completeShared from "../../shell/complete.sh" with { type: "text" };
import completeZsh from "../../shell/complete.zsh" with { type: "text" };
import { type InitShell, SHELLS } from "../edges/shells.ts";
import type { HelpNode } from "./command-node.ts";

export type CompletionShell = InitShell;

/** What may follow one command path: its subcommands, the words it offers, the flags that take a value. */
interface Spec {
  path: string;
  subs: string[];
  /** `word:description`, positional choices first, then flags. */
  words: string[];
  valued: string[];
  /** Choices of the n-th positional, offered only at that position. */
  choices: string[][];
}

const short = (description: string): string =>
  description
    .replace(/ \(env [^)]*\)/g, "")
    .replaceAll("`", "")
    .replace(/\s+/g, " ")
    .trim();
/** The word that names a command where it is typed: `run` under `hooks`, `status` at the top. */
const nameOf = (node: HelpNode): string => node.path.at(-1) ?? "";
const entry = (word: string, description: string): string => (description ? `${word}:${short(description)}` : word);

function specOf(node: HelpNode): Spec {
  const words: string[] = node.subs.map((s) => entry(nameOf(s), s.description));
  const valued: string[] = [];
  for (const arg of node.args) {
    if (arg.kind === "positional") continue;
    const forms = [arg.name, ...arg.aliases].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    if (!arg.onByDefault) words.push(...forms.map((f) => entry(f, arg.description)));
    if (arg.negatable) words.push(entry(`--no-${arg.name}`, arg.negativeDescription ?? ""));
    if (arg.kind === "string") valued.push(...forms);
  }
  const choices = node.args.filter((a) => a.kind === "positional").map((a) => a.choices ?? []);
  return { path: node.path.join(" "), subs: node.subs.map(nameOf), words, valued, choices };
}

/** The root: the table's commands, plus the words the router answers itself. */
function rootSpec(nodes: HelpNode[]): Spec {
  const words = [
    ...nodes.map((n) => entry(nameOf(n), n.description)),
    entry("run", "Run claude with the words that follow, untouched"),
    entry("help", "Show iclaude's help, or a command's"),
    entry("--help", "Show iclaude's help"),
    entry("--version", "Print iclaude's version"),
    entry("--refresh-token", "The same as iclaude refresh"),
  ];
  const names = nodes.map(nameOf);
  return { path: "", subs: [...names, "run", "help"], words, valued: [], choices: [] };
}

function allSpecs(nodes: HelpNode[]): Spec[] {
  const specs = [rootSpec(nodes), { path: "help", subs: [], words: [], valued: [], choices: [nodes.map(nameOf)] }];
  const walk = (node: HelpNode): void => {
    specs.push(specOf(node));
    node.subs.forEach(walk);
  };
  nodes.forEach(walk);
  return specs;
}

/** The spec table as a `case` over the path, for bash and zsh alike (the same syntax in both). */
function posixTable(specs: Spec[]): string {
  const { quote } = SHELLS.bash;
  const list = (items: string[]): string => items.map(quote).join(" ");
  const cases = specs.map((s) => {
    const lines = [`    ${quote(s.path)})`];
    if (s.subs.length) lines.push(`      __iclaude_subs=(${list(s.subs)})`);
    for (const [i, c] of s.choices.entries()) if (c.length) lines.push(`      if (( $2 == ${i} )); then __iclaude_words+=(${list(c)}); fi`);
    if (s.words.length) lines.push(`      __iclaude_words+=(${list(s.words)})`);
    if (s.valued.length) lines.push(`      __iclaude_valued=(${list(s.valued)})`);
    return [...lines, "      ;;"].join("\n");
  });
  // Descriptions are literal text, single-quoted on purpose: a `${...}` in one must not expand.
  return [
    "# shellcheck disable=SC2016",
    "__iclaude_spec() {",
    "  __iclaude_subs=() __iclaude_words=() __iclaude_valued=()",
    "  case $1 in",
    ...cases,
    "  esac",
    "}",
  ].join("\n");
}

function fishTable(specs: Spec[]): string {
  const { quote } = SHELLS.fish;
  const list = (items: string[]): string => items.map(quote).join(" ");
  const cases = specs.map((s) => {
    const lines = [`        case ${quote(s.path)}`];
    if (s.subs.length) lines.push(`            set -g __iclaude_subs ${list(s.subs)}`);
    for (const [i, c] of s.choices.entries()) if (c.length) lines.push(`            test $count -eq ${i}; and set -ga __iclaude_words ${list(c)}`);
    if (s.words.length) lines.push(`            set -ga __iclaude_words ${list(s.words)}`);
    if (s.valued.length) lines.push(`            set -g __iclaude_valued ${list(s.valued)}`);
    return lines.join("\n");
  });
  return [
    "function __iclaude_spec --argument-names at count",
    "    set -g __iclaude_subs",
    "    set -g __iclaude_words",
    "    set -g __iclaude_valued",
    "    switch $at",
    ...cases,
    "    end",
    "end",
  ].join("\n");
}

/**
 * `iclaude completion SHELL`: the script as a file of its own. zsh's starts with `#compdef iclaude`,
 * so saved as `_iclaude` in a dir on fpath it is what compinit registers; bash's is a
 * bash-completion file, fish's one for ~/.config/fish/completions as it is.
 */
export function renderCompletionFile(shell: CompletionShell, nodes: HelpNode[]): string {
  return `${shell === "zsh" ? "#compdef iclaude\n" : ""}${renderCompletion(shell, nodes)}`;
}

/**
 * The completion script for one shell, generated from the command definitions — the same source as
 * `--help` — and evaluated at shell start without running iclaude: a <Tab> starts no process.
 */
export function renderCompletion(shell: CompletionShell, nodes: HelpNode[]): string {
  const specs = allSpecs(nodes);
  if (shell === "fish") return `${fishTable(specs)}\n${completeFish}`;
  return `${posixTable(specs)}\n${completeShared}${shell === "zsh" ? completeZsh : completeBash}`;
}
