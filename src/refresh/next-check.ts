import { unlinkSync, utimesSync } from "node:fs";
import { resolve } from "node:path";
import type { Config, ConfigFlags } from "../base/config.ts";
import { writePrivateFile } from "../base/fs.ts";
import { ensureStateDir, readState, statePath } from "../base/state.ts";
import { statOrNull } from "../base/state-trust.ts";
import { type Assessment, assess, isRenewable } from "../credentials/assessment.ts";
import { loginWarnAt, refreshDueAt, STATUS_EXIT } from "../credentials/clocks.ts";
import { configFor, defaultClaudeDir, profilesToVisit } from "../credentials/profiles.ts";
import { NEXT_CHECK, NOTICE } from "../edges/contract.ts";
import { noticeLine } from "../ui/words.ts";
import { readLastFailure } from "./memory.ts";

/**
 * When the shell hook should run `iclaude refresh --background` next (Unix
 * seconds): when the access clock enters the margin, or the login clock enters
 * the threshold, but at least hourly, and never inside the cooldown.
 */
export function nextCheck(config: Pick<Config, "refreshMargin" | "threshold" | "cooldown">, a: Assessment, now: number, failedAt?: number): number {
  const nowS = Math.floor(now / 1000);
  // A rescued pair waits only for a run to write it into the credentials; no network is involved.
  if (a.rescued) return nowS;
  const wakeUps = [nowS + NEXT_CHECK.capS];
  if (isRenewable(a) && a.expiresAt !== null) wakeUps.push(Math.floor(refreshDueAt(a.expiresAt, config) / 1000));
  if (a.loginExpiresAt !== null) {
    const at = [loginWarnAt(a.loginExpiresAt, config), a.loginExpiresAt].map((ms) => Math.floor(ms / 1000));
    wakeUps.push(...at.filter((t) => t > nowS));
  }
  let next = Math.max(Math.min(...wakeUps), nowS);
  if (failedAt !== undefined) next = Math.max(next, Math.ceil(failedAt / 1000) + config.cooldown);
  return next;
}

/** One profile's verdict; `dir` is set for a profile other than `~/.claude`; `failedAt`: its last failed refresh. */
export interface Looked {
  assessment: Assessment;
  dir?: string;
  failedAt?: number;
}

/** The most urgent notice of all profiles: the highest status exit code wins. */
function mostUrgentNotice(looked: Looked[], now: number): string | null {
  const urgent = looked
    .filter((l) => noticeLine(l.assessment, now) !== null)
    .sort((x, y) => STATUS_EXIT[y.assessment.status] - STATUS_EXIT[x.assessment.status])[0];
  return urgent ? noticeLine(urgent.assessment, now, urgent.dir) : null;
}

/**
 * next-check's mtime also tells when a verdict was last made: a launch takes it as its own only
 * while the credentials are older (launcher/last-check.ts). A time that did not change is not
 * written again, so it is touched instead when the credentials changed since it was.
 */
function vouchForCredentials(config: Config): void {
  const path = statePath(config, NEXT_CHECK.file);
  const credentials = statOrNull(config.credentialsPath);
  const written = statOrNull(path, false);
  if (!credentials || !written || credentials.ctimeMs < written.mtimeMs) return;
  // A Date holds whole milliseconds, a ctime finer ones: the touch lands after the ctime even in its millisecond.
  const at = new Date(Math.max(Date.now(), Math.floor(credentials.ctimeMs) + 1));
  utimesSync(path, at, at);
}

/** Writes `next-check` (the earliest of all profiles, each past its own cooldown) and `notice` (or removes it) in the state dir, each atomically. */
export function writeSchedule(config: Config, looked: Assessment | Looked[]): void {
  const now = Date.now();
  const all = Array.isArray(looked) ? looked : [{ assessment: looked }];
  ensureStateDir(config);
  const next = Math.min(...all.map((l) => nextCheck(config, l.assessment, now, l.failedAt)));
  // Advice, looked at after every refresh run, launch and broker answer: written only when it changes
  // (a broker under a flood answers thousands of times a second), and not worth an fsync (see writePrivateFile).
  const write = (name: string, text: string): boolean => {
    if (readState(config, name) === text) return false;
    writePrivateFile(statePath(config, name), text, { durable: false });
    return true;
  };
  if (!write(NEXT_CHECK.file, `${next}\n`)) vouchForCredentials(config);
  const notice = mostUrgentNotice(all, now);
  if (notice !== null) {
    write(NOTICE.file, `${notice}\n`);
    return;
  }
  try {
    unlinkSync(statePath(config, NOTICE.file));
  } catch {
    // There was no notice.
  }
}

/** Every profile's verdict, this config's own first (`ownVerdict` when the run has just made it); a damaged profiles file costs only the others. */
function lookAtProfiles(config: Config, flags: ConfigFlags, ownVerdict?: Assessment): Looked[] {
  const ownDir = config.keychainHashInput !== null && config.claudeConfigDir !== defaultClaudeDir() ? { dir: config.claudeConfigDir } : {};
  const look = (c: Config, assessment = assess(c)) => ({ assessment, failedAt: readLastFailure(c)?.at });
  const own = { ...look(config, ownVerdict), ...ownDir };
  try {
    const others = profilesToVisit()
      .filter((p) => p.dir !== resolve(config.claudeConfigDir))
      .map((p) => ({ ...look(configFor(p, flags)), ...(p.isDefault ? {} : { dir: p.dir }) }));
    return [own, ...others];
  } catch {
    return [own];
  }
}

/**
 * After any refresh run, whatever its outcome (refreshIfDue calls it), and after `status`: the
 * schedule follows what is stored now in every profile, and each one's last failure; `own` is
 * this config's verdict when the run has just made it. Never fails the run; state is advisory.
 */
export function scheduleAfterRun(config: Config, flags: ConfigFlags = {}, own?: Assessment): void {
  try {
    writeSchedule(config, lookAtProfiles(config, flags, own));
  } catch {
    // An unwritable state dir costs only the shell hook's timing.
  }
}
