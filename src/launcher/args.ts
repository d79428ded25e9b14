/** What iclaude needs to know of claude's own command line. */

/** Claude's options: what comes before its own `--`. */
function optionsOf(args: readonly string[]): readonly string[] {
  const end = args.indexOf("--");
  return end < 0 ? args : args.slice(0, end);
}

/** claude's short flags that take no value; any other letter in a cluster takes the rest as its value. */
const VALUELESS_SHORT = new Set(["c", "h", "p", "v"]);

/** `-p`, `--print`, or `p` in a cluster of short flags before any letter that takes a value (`-cp`, not `-rp`). */
function printsFlag(arg: string): boolean {
  if (arg === "--print") return true;
  if (!/^-[A-Za-z]+$/.test(arg)) return false;
  for (const letter of arg.slice(1)) {
    if (letter === "p") return true;
    if (!VALUELESS_SHORT.has(letter)) return false;
  }
  return false;
}

/** A non-interactive run: its output can be held and retried after a refused login. */
export const isPrint = (args: readonly string[]): boolean => optionsOf(args).some(printsFlag);

/** `--input-format stream-json` is a live conversation on stdin and stdout: never held, never replayed. */
export function streamsInput(args: readonly string[]): boolean {
  const options = optionsOf(args);
  return options.some((a, i) => a === "--input-format=stream-json" || (a === "--input-format" && options[i + 1] === "stream-json"));
}

/**
 * The words start a session a person works in: not print mode, not one of claude's subcommands, not
 * `--version` or `--help`. Only there is a person asked anything before claude starts.
 */
export function startsSession(args: readonly string[]): boolean {
  const options = optionsOf(args);
  if (isPrint(args) || options.some((a) => a === "--version" || a === "-v" || a === "--help" || a === "-h")) return false;
  return !CLAUDE_SUBCOMMANDS.includes(args[0] ?? "");
}

/**
 * claude's own subcommands (2.1.197 to 2.1.337, and older names people still type): a first word
 * that is one of them is claude's, however close it is to one of iclaude's. A test compares this
 * list with the installed claude's `--help`.
 */
export const CLAUDE_SUBCOMMANDS: readonly string[] = [
  "accept-program",
  "agents",
  "attach",
  "auth",
  "auto-mode",
  "config",
  "doctor",
  "gateway",
  "import",
  "install",
  "kill",
  "logs",
  "mcp",
  "migrate-installer",
  "plugin",
  "plugins",
  "project",
  "purge",
  "remote-control",
  "respawn",
  "rm",
  "setup-token",
  "stop",
  "ultrareview",
  "update",
  "upgrade",
];
