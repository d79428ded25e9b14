/** iclaude's own commands; every other first word belongs to claude. */
export const OWN_COMMANDS = ["status", "refresh", "token", "init", "hooks", "profiles", "schedule", "broker"] as const;
export type OwnCommand = (typeof OWN_COMMANDS)[number];

export type Route =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "command"; name: OwnCommand; args: string[] }
  | { kind: "claude"; args: string[] };

const isOwn = (word: string | undefined): word is OwnCommand => OWN_COMMANDS.includes(word as OwnCommand);

/**
 * Decides from the first word only, so claude's own flags and subcommands
 * (`iclaude -p hi`, `iclaude mcp list`) pass through untouched, in order.
 */
export function route(argv: readonly string[]): Route {
  const [first, ...rest] = argv;
  if (first === "--help") return { kind: "help" };
  if (first === "--version") return { kind: "version" };
  if (first === "--refresh-token") return { kind: "command", name: "refresh", args: rest };
  if (isOwn(first)) return { kind: "command", name: first, args: rest };
  if (first === "--") return { kind: "claude", args: rest };
  if (first === "run") return { kind: "claude", args: rest[0] === "--" ? rest.slice(1) : rest };
  return { kind: "claude", args: [...argv] };
}
