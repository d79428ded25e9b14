import { type Config, keychainPossible } from "../base/config.ts";
import { statePath } from "../base/state.ts";
import { longLivedFile, statOrNull } from "../base/state-trust.ts";
import { NEXT_CHECK, NOTICE } from "../edges/contract.ts";
import { isCheckDue } from "../refresh/check-due.ts";

/**
 * Whether the last check's verdict still stands, so a launch can start claude without reading the
 * credentials: when to look again is decided once, by whoever last wrote next-check (a launch, a
 * prompt's refresh, a timer), as for the shells and the git hook. It stands only while
 *
 * - next-check is ahead and well formed, in a state dir iclaude trusts;
 * - there is no notice (a person must act: the launch says so and may offer the long-lived token);
 * - no long-lived token is stored for this profile (a launch hands it to claude when the login has ended);
 * - the login is `~/.claude`'s, in its file (every check looks at it; a Keychain item has no cheap clock);
 * - the credentials file has not changed since next-check was written (its ctime, which no copy or
 *   restore can set back: a new login, a logout, a login Claude Code ended are all looked at).
 *
 * Any doubt, and the launch checks as it always did.
 */
export function lastCheckStands(config: Config, now: number = Date.now(), platform: NodeJS.Platform = process.platform): boolean {
  if (config.profileSuffix !== "" || keychainPossible(config, platform)) return false;
  // Due, or not to be trusted (next-check is read only from a state dir iclaude trusts).
  if (isCheckDue(config, now)) return false;
  if (statOrNull(statePath(config, NOTICE.file), false) || statOrNull(statePath(config, longLivedFile(config)), false)) return false;
  const written = statOrNull(statePath(config, NEXT_CHECK.file), false);
  const credentials = statOrNull(config.credentialsPath);
  return written !== null && credentials !== null && credentials.ctimeMs < written.mtimeMs;
}
