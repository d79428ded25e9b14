import { VERSION } from "../version.ts";
import { type ArgSpec, commandLine, type HelpNode } from "./command-node.ts";

/** Every environment variable a command's help may name, described once (the man page lists them all). */
export const ENV: Record<string, string> = {
  ICLAUDE_THRESHOLD: "warn when the login ends within this (default 7d)",
  ICLAUDE_REFRESH_MARGIN: "refresh when the access token has less than this left (default 1h)",
  ICLAUDE_COOLDOWN: "pause after a failed refresh (default 30s)",
  ICLAUDE_STORE: "where Claude Code's login is read: auto, file or keychain",
  ICLAUDE_TOKEN_URL: "the token endpoint (https, or http on loopback)",
  ICLAUDE_CLIENT_ID: "the OAuth client id (default Claude Code's)",
  ICLAUDE_CLAUDE_BIN: "the real claude (default: the first claude on PATH that is not iclaude)",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the default as shell writes it, shown literally
  ICLAUDE_STATE_DIR: "iclaude's state (default ${XDG_STATE_HOME:-~/.local/state}/iclaude)",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the default as shell writes it, shown literally
  ICLAUDE_CONFIG: "the config file (default ${XDG_CONFIG_HOME:-~/.config}/iclaude/config.toml)",
  ICLAUDE_DEBUG: "1: more detail on stderr, still masked",
  CLAUDE_CONFIG_DIR: "Claude Code's config dir (default ~/.claude)",
  CLAUDE_SECURESTORAGE_CONFIG_DIR: "where Claude Code keeps its credentials and their locks (default: the config dir)",
  ICLAUDE_SECURITY_BIN: "the macOS security binary that reads and writes the Keychain (default /usr/bin/security)",
  ICLAUDE_USER_AGENT: "the User-Agent sent to the token endpoint (default Claude Code's)",
  CLAUDE_CODE_OAUTH_TOKEN: "a token claude uses first; iclaude then has nothing to refresh",
  SKIP: "SKIP=iclaude skips the guard for one commit made by a person",
  ICLAUDE_CRON_SCHEDULE: "the five cron fields of the schedule's crontab line (default: once an hour)",
  ICLAUDE_BROKER: "inside a box: the broker's socket, for token, sync and the launcher",
  ICLAUDE_BROKER_PROFILE: "inside a box: which of the broker's profiles to ask for",
  ICLAUDE_SHELL_HOOK: "set by the shell integration: the iclaude it calls, which `check` compares with itself",
  ICLAUDE_NOTIFY_COMMAND: "a command run by /bin/sh -c with a notice on stdin and in ICLAUDE_NOTICE, when a timer finds a login a person must see to",
  XDG_RUNTIME_DIR: "where the broker's socket lives by default ($XDG_RUNTIME_DIR/iclaude/broker.sock)",
};

/** The words the router answers itself, beside the table's commands. */
export const ROUTER_COMMANDS: [string, string][] = [
  ["run [--] ARGS", "Run claude with ARGS untouched, even a word that is an iclaude command"],
  ["help [COMMAND]", "Show this help, or a command's"],
];

/** The options of `iclaude` itself, as the first word. */
export const TOP_OPTIONS: [string, string][] = [
  ["-h, --help", "Show this help (as the first word; later words are claude's)"],
  ["--version", "Print iclaude's version"],
  ["--refresh-token", "The same as `iclaude refresh`"],
  ["-- ARGS", "Pass ARGS to claude untouched"],
];

/** Where config, state and credentials live. */
export const FILES: [string, string][] = [
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the default as shell writes it, shown literally
  ["config", "$ICLAUDE_CONFIG, default ${XDG_CONFIG_HOME:-~/.config}/iclaude/config.toml"],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the default as shell writes it, shown literally
  ["state", "$ICLAUDE_STATE_DIR, default ${XDG_STATE_HOME:-~/.local/state}/iclaude (next-check, iclaude.log)"],
  ["credentials", "$CLAUDE_CONFIG_DIR/.credentials.json (default ~/.claude), or the macOS Keychain"],
];

/** `-q, --quiet`, `--lock-wait <30s>`, `--[no-]interactive`. */
export function flagLabel(arg: ArgSpec): string {
  const short = arg.aliases.filter((a) => a.length === 1).map((a) => `-${a}, `);
  const value = arg.kind === "string" ? ` <${arg.valueHint ?? arg.name}>` : "";
  return `${short.join("")}--${arg.name}${value}`;
}

/** Two columns, the first as wide as its longest entry; no trailing blanks. */
function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => (right ? `  ${left.padEnd(width)}  ${right}` : `  ${left}`));
}

function section(title: string, lines: string[]): string[] {
  return lines.length ? ["", title, ...lines] : [];
}

export function usageLine(node: HelpNode): string {
  if (node.subs.length) return `${commandLine(node)} <${node.subs.map((s) => s.path.at(-1)).join("|")}> [options]`;
  const positionals = node.args.filter((a) => a.kind === "positional").map((a) => (a.required ? `<${a.valueHint ?? a.name}>` : `[${a.valueHint ?? a.name}]`));
  const extra = node.help.extraWords ? ["[ARGS...]"] : [];
  const flags = node.args.some((a) => a.kind !== "positional") ? ["[options]"] : [];
  return [commandLine(node), ...positionals, ...extra, ...flags].join(" ");
}

/** A command's options as `[label, what it does]`, for its help and the man page. */
export function optionRows(node: HelpNode): [string, string][] {
  const options: [string, string][] = [];
  for (const arg of node.args) {
    if (arg.kind === "positional") continue;
    // A flag that is on by default is shown by the word that changes something: its --no- form.
    if (!arg.onByDefault) options.push([flagLabel(arg), arg.description]);
    if (arg.negatable) options.push([`--no-${arg.name}`, arg.negativeDescription ?? `Turn --${arg.name} off`]);
  }
  return options;
}

/** A command's positionals (and the extra words it takes) as `[label, what it is]`. */
export function positionalRows(node: HelpNode): [string, string][] {
  const positionals: [string, string][] = node.args.filter((a) => a.kind === "positional").map((a) => [a.valueHint ?? a.name, a.description]);
  if (node.help.extraWords) positionals.push(["ARGS...", node.help.extraWords]);
  return positionals;
}

/** One command's help: what it does, usage, options, commands, examples, environment, config keys, exit codes. */
export function renderCommandHelp(node: HelpNode): string {
  const options = [...optionRows(node), ["-h, --help", "Show this help"] as [string, string]];
  const positionals = positionalRows(node);
  const { examples = [], env = [], config = [], exits = [] } = node.help;
  return [
    `${node.description}`,
    "",
    "USAGE",
    `  ${usageLine(node)}`,
    ...section("ARGUMENTS", positionals.length ? columns(positionals) : []),
    ...section("COMMANDS", node.subs.length ? columns(node.subs.map((s) => [s.path.at(-1) ?? "", s.description])) : []),
    ...section("OPTIONS", columns(options)),
    ...section(
      "EXAMPLES",
      examples.flatMap(([line, what]) => [`  $ ${line}`, ...(what ? [`    ${what}`] : [])]),
    ),
    ...section("ENVIRONMENT", env.length ? columns(env.map((name) => [name, ENV[name] ?? ""])) : []),
    ...section("CONFIG KEYS (config.toml)", config.length ? [`  ${config.join(", ")}`] : []),
    ...section("EXIT CODES", exits.length ? columns(exits) : []),
    ...(node.subs.length ? ["", `Run \`${commandLine(node)} <command> --help\` for a command's options.`] : []),
    "",
  ].join("\n");
}

/** `iclaude --help`: every command and option, and where config and state live. */
export function renderTopHelp(nodes: HelpNode[]): string {
  return [
    `iclaude ${VERSION} — keeps your Claude Code login alive`,
    "",
    "USAGE",
    "  iclaude [claude args]      run claude, refreshing the login first",
    "  iclaude <command> [options]",
    "",
    "COMMANDS",
    ...columns([...nodes.map((n): [string, string] => [n.path[0] ?? "", n.description]), ...ROUTER_COMMANDS]),
    "",
    "OPTIONS",
    ...columns(TOP_OPTIONS),
    "",
    "EXAMPLES",
    '  $ iclaude -p "hi"           claude -p "hi", with a fresh login',
    "  $ iclaude status --json",
    '  $ eval "$(iclaude init zsh)"',
    "",
    "FILES",
    ...columns(FILES),
    "",
    "Run `iclaude help COMMAND` or `iclaude COMMAND --help` for a command's options, environment and exit codes.",
    "",
  ].join("\n");
}
