import { unlinkSync } from "node:fs";
import { loginWarnAt, refreshDueAt } from "./clocks.ts";
import type { Config } from "./config.ts";
import { assess, type Assessment } from "./current.ts";
import { formatDuration } from "./durations.ts";
import { ensureStateDir, readLastFailure, statePath } from "./state.ts";
import { writePrivateFile } from "./store/file.ts";

/** A new login or a change made elsewhere is noticed within this, whatever the clocks say. */
const MAX_SLEEP_S = 3600;

/**
 * When the shell hook should run `iclaude refresh --background` next (Unix
 * seconds): when the access clock enters the margin, or the login clock enters
 * the threshold, but at least hourly, and never inside the cooldown.
 */
export function nextCheck(config: Pick<Config, "refreshMargin" | "threshold" | "cooldown">, a: Assessment, now: number, failedAt?: number): number {
  const nowS = Math.floor(now / 1000);
  // A rescued pair waits only for a run to write it into the credentials; no network is involved.
  if (a.rescued) return nowS;
  const wakeUps = [nowS + MAX_SLEEP_S];
  const renewable = a.hasRefreshToken && !a.refreshTokenDead && a.store !== "long-lived";
  if (renewable && a.expiresAt !== null) wakeUps.push(Math.floor(refreshDueAt(a.expiresAt, config) / 1000));
  if (a.loginExpiresAt !== null) {
    const at = [loginWarnAt(a.loginExpiresAt, config), a.loginExpiresAt].map((ms) => Math.floor(ms / 1000));
    wakeUps.push(...at.filter((t) => t > nowS));
  }
  let next = Math.max(Math.min(...wakeUps), nowS);
  if (failedAt !== undefined) next = Math.max(next, Math.ceil(failedAt / 1000) + config.cooldown);
  return next;
}

/** The one line the shell prompt prints when a person must act; null when nothing is asked of anyone. */
export function noticeLine(a: Assessment, now: number): string | null {
  switch (a.status) {
    case "login-expiring":
      return `iclaude: Claude login ends in ${formatDuration(((a.loginExpiresAt ?? now) - now) / 1000)} — run: iclaude refresh`;
    case "expired":
      return "iclaude: Claude login has ended — run: iclaude refresh";
    case "missing":
      return "iclaude: no Claude login — run: claude /login";
    case "invalid":
      return "iclaude: Claude credentials cannot be read — run: iclaude status";
    default:
      return null;
  }
}

/** Writes `next-check` and `notice` (or removes it) in the state dir, each atomically. */
export function writeSchedule(config: Config, assessment: Assessment, failedAt?: number): void {
  const now = Date.now();
  ensureStateDir(config);
  writePrivateFile(statePath(config, "next-check"), `${nextCheck(config, assessment, now, failedAt)}\n`);
  const notice = noticeLine(assessment, now);
  if (notice !== null) {
    writePrivateFile(statePath(config, "notice"), `${notice}\n`);
    return;
  }
  try {
    unlinkSync(statePath(config, "notice"));
  } catch {
    // There was no notice.
  }
}

/**
 * After any refresh run, whatever its outcome: the schedule follows what is
 * stored now and the last failure. Never fails the run; state is advisory.
 */
export function scheduleAfterRun(config: Config): void {
  try {
    writeSchedule(config, assess(config), readLastFailure(config)?.at);
  } catch {
    // An unwritable state dir costs only the shell hook's timing.
  }
}
