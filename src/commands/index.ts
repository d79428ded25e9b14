import type { CommandTable, IclaudeCommand } from "./_shared.ts";

export type { IclaudeCommand } from "./_shared.ts";

const load = (module: Promise<{ default: unknown }>): Promise<IclaudeCommand> => module.then((m) => m.default as IclaudeCommand);

/**
 * iclaude's own commands, loaded on first use, so a launch or a prompt hook pays only for the
 * command it runs. Routing, help and the shell completions all read this table: a command added
 * here is routed, documented and completed with no other edit.
 */
export const commands = {
  status: () => load(import("./status.ts")),
  check: () => load(import("./check.ts")),
  refresh: () => load(import("./refresh.ts")),
  token: () => load(import("./token.ts")),
  init: () => load(import("./init.ts")),
  completion: () => load(import("./completion.ts")),
  hooks: () => load(import("./hooks/index.ts")),
  profiles: () => load(import("./profiles.ts")),
  schedule: () => load(import("./schedule/index.ts")),
  broker: () => load(import("./broker/index.ts")),
} satisfies CommandTable;

export type OwnCommand = keyof typeof commands;

/**
 * Work a command starts before its code is loaded. git waits for `hooks run` on every commit: the
 * guard's question to git is asked first, and git answers while the guard loads.
 */
export function headStart(name: OwnCommand, args: readonly string[]): void {
  if (name === "hooks" && args[0] === "run" && (args[1] === "pre-commit" || args[1] === "prepare-commit-msg" || args[1] === "pre-applypatch")) {
    void import("../guard/git-process.ts").then((git) => git.askEarly());
  }
}

/** Runs the real claude with these arguments; resolves to its exit code. */
export const launchClaude = (args: string[]): Promise<number> => import("./run.ts").then((m) => m.launch(args));
