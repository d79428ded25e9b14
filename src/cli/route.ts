import { closest } from "../base/did-you-mean.ts";
import { commands, type OwnCommand } from "../commands/index.ts";
import { CLAUDE_SUBCOMMANDS } from "../launcher/args.ts";

/*
 * The one layer in front of citty, kept small on purpose: citty runs a command tree and answers an
 * unknown first word with an error, but iclaude must hand every word it does not own (`-p hi`,
 * `mcp list`, a prompt) to claude untouched. So the first word alone decides here: an own command
 * (parsed by citty), `--refresh-token`, help, the version, a typo of an own word, or claude.
 */

/** iclaude's own commands; every other first word belongs to claude. */
export const OWN_COMMANDS = Object.keys(commands) as OwnCommand[];

export type Route =
  | { kind: "help"; path: string[] }
  | { kind: "version" }
  | { kind: "command"; name: OwnCommand; args: string[] }
  | { kind: "typo"; word: string; suggestion: string }
  | { kind: "claude"; args: string[] };

const isOwn = (word: string | undefined): word is OwnCommand => OWN_COMMANDS.includes(word as OwnCommand);

const OWN_FLAGS = ["--help", "--version", "--refresh-token"];
/** The first words iclaude answers itself: a flag is only ever a typo of a flag (`--tools` is claude's, not `hooks`). */
const ownWords = (first: string): string[] => (first.startsWith("--") ? OWN_FLAGS : [...OWN_COMMANDS, "run", "help", ...OWN_FLAGS]);

/** A word that reads as a command or a long flag, not as a prompt: letters and dashes only. */
const COMMAND_LIKE = /^(--)?[a-z][a-z-]{2,}$/i;

/**
 * The own word `first` is one or two edits from, unless claude answers to it itself. A real prompt
 * (`"fix the test"`, anything with a space) never looks like one.
 */
function typoOf(first: string): string | null {
  if (!COMMAND_LIKE.test(first) || CLAUDE_SUBCOMMANDS.includes(first)) return null;
  return closest(first, ownWords(first), (w) => w.replace(/^--/, "").toLowerCase());
}

/**
 * Decides from the first word only, so claude's own flags and subcommands
 * (`iclaude -p hi`, `iclaude mcp list`) pass through untouched, in order.
 */
export function route(argv: readonly string[]): Route {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h") return { kind: "help", path: [] };
  if (first === "help") return { kind: "help", path: rest };
  if (first === "--version") return { kind: "version" };
  if (first === "--refresh-token") return { kind: "command", name: "refresh", args: rest };
  if (isOwn(first)) return { kind: "command", name: first, args: rest };
  if (first === "--") return { kind: "claude", args: rest };
  if (first === "run") return { kind: "claude", args: rest[0] === "--" ? rest.slice(1) : rest };
  const suggestion = first === undefined ? null : typoOf(first);
  if (first !== undefined && suggestion) return { kind: "typo", word: first, suggestion };
  return { kind: "claude", args: [...argv] };
}
