import { loadConfig } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { configFor, profilesToVisit } from "../credentials/profiles.ts";
import { claudeCheck, pathCheck, shellChecks } from "./binaries.ts";
import { cooldownCheck, lockCheck, loginCheck, stateCheck, storeCheck } from "./login.ts";
import { brokerCheck, hookChecks, keychainCheck, scheduleChecks } from "./setup.ts";
import type { Check } from "./types.ts";

export type { Check } from "./types.ts";

/**
 * Everything `iclaude check` looks at, in the order a new user meets it: the binaries and the shell,
 * each profile's login and what may hold it back, then what runs without a terminal. Only looks:
 * nothing is refreshed, written or sent, and no token is part of any finding.
 */
export async function runChecks(env: Env = process.env, self: string = process.execPath, now = Date.now()): Promise<Check[]> {
  const config = loadConfig({}, env);
  const checks: (Check | null)[] = [claudeCheck(config, env), pathCheck(env, self), ...shellChecks(env, self)];
  for (const profile of profilesToVisit(env)) {
    const own = configFor(profile, {}, env);
    checks.push(storeCheck(own, profile.dir), loginCheck(own, profile.dir, now), lockCheck(own, profile.dir, now), cooldownCheck(own, profile.dir, now));
  }
  checks.push(stateCheck(config), keychainCheck(config, env), ...scheduleChecks(config, env, now), await brokerCheck(env), ...(await hookChecks(env, self)));
  return checks.filter((c): c is Check => c !== null);
}
