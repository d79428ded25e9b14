import type { ArgsDef, CommandDef } from "citty";
import type { OwnCommand } from "../route.ts";

/** Loaded on first use, so a launch or a prompt hook pays only for the command it runs. */
export const commands: Record<OwnCommand, () => Promise<CommandDef<ArgsDef>>> = {
  status: () => import("./status.ts").then((m) => m.default as CommandDef<ArgsDef>),
  refresh: () => import("./refresh.ts").then((m) => m.default as CommandDef<ArgsDef>),
  token: () => import("./token.ts").then((m) => m.default as CommandDef<ArgsDef>),
  init: () => import("./init.ts").then((m) => m.default as CommandDef<ArgsDef>),
  hooks: () => import("./hooks.ts").then((m) => m.default as CommandDef<ArgsDef>),
  profiles: () => import("./profiles.ts").then((m) => m.default as CommandDef<ArgsDef>),
  schedule: () => import("./schedule.ts").then((m) => m.default as CommandDef<ArgsDef>),
  broker: () => import("./broker.ts").then((m) => m.default as CommandDef<ArgsDef>),
};

/** Runs the real claude with these arguments; resolves to its exit code. */
export const launchClaude = (args: string[]): Promise<number> => import("./run.ts").then((m) => m.launch(args));
