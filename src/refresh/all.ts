import type { ConfigFlags } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { asIclaudeError, EXIT, type IclaudeError } from "../base/errors.ts";
import { configFor, type Profile, profilesToVisit } from "../credentials/profiles.ts";
import { type RefreshOptions, type RefreshResult, refreshIfDue } from "./engine.ts";

/** One profile's run: its result, or the failure that ended it (never thrown: the others go on). */
export type ProfileRefresh = { profile: Profile; result: RefreshResult; error?: undefined } | { profile: Profile; result?: undefined; error: IclaudeError };

/** Worse outcomes later: a person must act (20) outranks a failure the next run may cure. */
const SEVERITY: readonly number[] = [EXIT.ok, EXIT.cooldown, EXIT.lockTimeout, EXIT.refreshFailed, EXIT.loginRequired];
const rank = (code: number): number => (SEVERITY.includes(code) ? SEVERITY.indexOf(code) : SEVERITY.length + code);

export const exitCodeOf = (run: ProfileRefresh): number => run.error?.exitCode ?? EXIT.ok;

/** The exit code of a run over all profiles: the worst of them. */
export const worstExitCode = (runs: readonly ProfileRefresh[]): number =>
  runs.map(exitCodeOf).reduce((worst, code) => (rank(code) > rank(worst) ? code : worst), EXIT.ok);

/**
 * `refresh --all`: every profile through the one refresh path, one after the
 * other, each under its own config dir's locks. A profile that fails, even
 * with a bug, is reported and the next one runs.
 */
export async function refreshAllProfiles(flags: ConfigFlags, options: RefreshOptions, env: Env = process.env): Promise<ProfileRefresh[]> {
  const runs: ProfileRefresh[] = [];
  for (const profile of profilesToVisit(env)) {
    try {
      runs.push({ profile, result: await refreshIfDue(configFor(profile, flags, env), { ...options, flags }) });
    } catch (error) {
      runs.push({ profile, error: asIclaudeError(error) });
    }
  }
  return runs;
}
