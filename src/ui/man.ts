/**
 * iclaude(1) in roff, written at build time from the same plain command data as `--help`: the
 * commands, their options, examples, environment, config keys and exit codes, and help's own lists
 * of variables and files. Nothing here is a second list, so the page cannot drift from `--help`.
 */
import { VERSION } from "../version.ts";
import { commandLine, type HelpNode } from "./command-node.ts";
import { ENV, FILES, optionRows, positionalRows, ROUTER_COMMANDS, TOP_OPTIONS, usageLine } from "./help.ts";

/**
 * Text for roff: backslashes and hyphens escaped, `code` in bold, no line read as a request, other
 * characters as roff names them (ASCII dots for an ellipsis, which not every locale has), and a long path free to break after a slash.
 */
function text(s: string): string {
  return s
    .replaceAll("\\", "\\e")
    .replaceAll("-", "\\-")
    .replaceAll("…", "...")
    .replace(/[^\t\n -~]/g, (c) => `\\[u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}]`)
    .replace(/([/|])(?=\S)/g, "$1\\:")
    .replace(/`([^`]+)`/g, "\\fB$1\\fR")
    .replace(/^[.']/gm, "\\&$&");
}

/** A tagged paragraph: the tag in bold on its own line, what it means indented below. */
const tagged = ([tag, what]: [string, string]): string[] => [".TP", `.B ${text(tag)}`, text(what || " ")];

/** A literal line (a command line, a usage), kept as it is and never filled. */
const literal = (lines: string[]): string[] => [".PP", ".nf", ".RS 4", ...lines.map(text), ".RE", ".fi"];

const everyNode = (nodes: HelpNode[]): HelpNode[] => nodes.flatMap((n) => [n, ...everyNode(n.subs)]);

function commandSection(node: HelpNode): string[] {
  const { examples = [], env = [], config = [], exits = [] } = node.help;
  const out = [`.SS ${text(commandLine(node))}`, text(node.description), ...literal([usageLine(node)])];
  for (const row of positionalRows(node)) out.push(...tagged(row));
  for (const sub of node.subs) out.push(...tagged([sub.path.at(-1) ?? "", sub.description]));
  for (const row of optionRows(node)) out.push(...tagged(row));
  if (examples.length) out.push(".PP", "Examples:", ...literal(examples.flatMap(([line, what]) => [`$ ${line}`, ...(what ? [`  ${what}`] : [])])));
  if (env.length) out.push(".PP", `Environment: ${text(env.join(", "))}.`);
  if (config.length) out.push(".PP", `Config keys: ${text(config.join(", "))}.`);
  if (exits.length) out.push(".PP", `Exit codes: ${text(exits.map(([code, what]) => `${code} ${what}`).join("; "))}.`);
  return out;
}

/** Each exit code once, with every command that uses it and what it means there. */
function exitStatus(nodes: HelpNode[]): string[] {
  const byCode = new Map<string, string[]>();
  for (const node of nodes) {
    for (const [code, what] of node.help.exits ?? []) byCode.set(code, [...(byCode.get(code) ?? []), `${commandLine(node)}: ${what}`]);
  }
  const order = (code: string): number => Number.parseInt(code, 10);
  return [...byCode.entries()]
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .flatMap(([code, lines]) => [".TP", `.B ${text(code)}`, lines.map(text).join("\n.br\n")]);
}

/** Each config key once, with the commands that read it. */
function configKeys(nodes: HelpNode[]): string[] {
  const readers = new Map<string, string[]>();
  for (const node of nodes) for (const key of node.help.config ?? []) readers.set(key, [...(readers.get(key) ?? []), commandLine(node)]);
  return [...readers.entries()].flatMap(([key, by]) => tagged([key, `read by ${by.join(", ")}`]));
}

/** The whole page, from the resolved command table. */
export function renderManPage(tree: HelpNode[]): string {
  const nodes = everyNode(tree);
  return [
    `.TH ICLAUDE 1 "" "iclaude ${VERSION}" "User Commands"`,
    ".nh",
    ".ad l",
    ".SH NAME",
    "iclaude \\- keeps your Claude Code login alive",
    ".SH SYNOPSIS",
    ".B iclaude",
    "[\\fIclaude args\\fR]",
    ".br",
    ".B iclaude",
    "\\fIcommand\\fR [\\fIoptions\\fR]",
    ".SH DESCRIPTION",
    text(
      "iclaude runs the real Claude Code with your arguments, refreshing its OAuth login first under Claude Code's own locks. " +
        "Its own commands judge and refresh the login, integrate with zsh, bash and fish, guard git commits against leaked tokens, " +
        "keep every profile alive from an OS timer, and share a login with containers through a broker.",
    ),
    ".SH OPTIONS",
    ...TOP_OPTIONS.flatMap(tagged),
    ".SH COMMANDS",
    ...tree.map((n): [string, string] => [n.path[0] ?? "", n.description]).flatMap(tagged),
    ...ROUTER_COMMANDS.flatMap(tagged),
    ...nodes.flatMap(commandSection),
    ".SH ENVIRONMENT",
    ...Object.entries(ENV).flatMap(tagged),
    ".SH CONFIGURATION",
    text("Settings come from a flag, the environment, or config.toml, in that order; the keys below are read from config.toml."),
    ...configKeys(nodes),
    ".SH EXIT STATUS",
    text("Running claude, iclaude exits with claude's code (128+n for a signal), 126 when claude cannot be started, 127 when it is not found."),
    text(
      "Any command exits 70 on a failure that is a bug in iclaude (its sentence says so), and 74 when stdout cannot be written (a full disk) and the run would have succeeded; a reader that went away, as | head does, is no failure.",
    ),
    ...exitStatus(nodes),
    ".SH FILES",
    ...FILES.flatMap(tagged),
    ".SH SEE ALSO",
    "\\fBclaude\\fR(1), \\fBgit\\fR(1)",
    "",
  ].join("\n");
}
