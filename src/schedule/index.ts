import { existsSync } from "node:fs";
import type { Env } from "../base/env.ts";
import type { Backend, BackendName } from "./common.ts";
import { cron } from "./cron.ts";
import { launchd } from "./launchd.ts";
import { systemd } from "./systemd.ts";

export type { BackendName } from "./common.ts";
export { type LastRun, lastRun, recordRun } from "./last-run.ts";
export const BACKENDS: Record<BackendName, Backend> = { systemd, launchd, cron };

/** What the OS has: launchd on macOS, systemd where it runs the machine, else cron. */
export function defaultBackend(platform: NodeJS.Platform = process.platform): BackendName {
  if (platform === "darwin") return "launchd";
  if (platform === "linux" && existsSync("/run/systemd/system")) return "systemd";
  return "cron";
}

export type { Env };
