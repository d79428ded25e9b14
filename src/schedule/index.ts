import { existsSync } from "node:fs";
import type { Config } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { readState } from "../base/state.ts";
import { readRunLogLine } from "../edges/contract.ts";
import type { Backend, BackendName } from "./common.ts";
import { cron } from "./cron.ts";
import { launchd } from "./launchd.ts";
import { systemd } from "./systemd.ts";

export type { BackendName } from "./common.ts";
export const BACKENDS: Record<BackendName, Backend> = { systemd, launchd, cron };

/** What the OS has: launchd on macOS, systemd where it runs the machine, else cron. */
export function defaultBackend(platform: NodeJS.Platform = process.platform): BackendName {
  if (platform === "darwin") return "launchd";
  if (platform === "linux" && existsSync("/run/systemd/system")) return "systemd";
  return "cron";
}

export interface LastRun {
  /** ISO time of the run's last line. */
  at: string;
  /** One line per profile: `<dir>: <what happened>`. */
  lines: string[];
}

/** The last run this scheduler made, from the state log: its time and one line per profile. */
export function lastRun(config: Pick<Config, "stateDir">, backend: BackendName): LastRun | null {
  const lines = (readState(config, "iclaude.log") ?? "").split("\n");
  const ours = lines.flatMap((line) => {
    const read = readRunLogLine(line);
    return read?.scheduler === backend ? [read] : [];
  });
  const last = ours.at(-1);
  if (!last) return null;
  // One run writes its profiles' lines back to back, within the minutes its lock waits may take.
  const runStart = Date.parse(last.at) - 5 * 60_000;
  const run = ours.filter((r) => Date.parse(r.at) >= runStart);
  return { at: last.at, lines: run.map((r) => r.text) };
}

export type { Env };
