import type { Config } from "../base/config.ts";
import { fingerprint } from "../base/secrets.ts";
import { appendStateFile, ensureStateDir, readState, statePath } from "../base/state.ts";

/*
 * Refresh tokens Anthropic answered `invalid_grant`, by fingerprint, never the token. Written by
 * the engine, read by the assessment: a refused token is part of the verdict (the login cannot be
 * renewed, a long-lived token takes over), so it lives with the verdict, not in refresh/.
 */

const DEAD_TOKENS = "dead-refresh-tokens";

/** True when this refresh token was answered `invalid_grant` before: it is never sent again. */
export function isDeadRefreshToken(config: Pick<Config, "stateDir">, token: string): boolean {
  const text = readState(config, DEAD_TOKENS);
  return text?.split("\n").includes(fingerprint(token)) ?? false;
}

/** How many refused refresh tokens are remembered. */
export const deadRefreshTokenCount = (config: Pick<Config, "stateDir">): number => (readState(config, DEAD_TOKENS) ?? "").split("\n").filter(Boolean).length;

export function rememberDeadRefreshToken(config: Pick<Config, "stateDir">, token: string): void {
  if (isDeadRefreshToken(config, token)) return;
  ensureStateDir(config);
  appendStateFile(statePath(config, DEAD_TOKENS), `${fingerprint(token)}\n`);
}
