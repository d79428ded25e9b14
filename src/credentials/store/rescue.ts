import { unlinkSync } from "node:fs";
import type { Config } from "../../base/config.ts";
import { writePrivateFile } from "../../base/fs.ts";
import { onFirstUse, stringsAt } from "../../base/lazy.ts";
import { fingerprint } from "../../base/secrets.ts";
import { ensureStateDir, readState, statePath } from "../../base/state.ts";
import type { NewTokens } from "../format.ts";

/**
 * A new pair the server issued but the credentials could not take (a write
 * that failed after the send). Kept 0600 in the state dir, it is adopted by
 * the next assessment while the credentials still hold the refresh token it
 * was issued for (or Claude Code has blanked them since), and written into
 * them by the next refresh run. One file per store: profiles share the state
 * dir, and one profile's success must never clear another's rescued pair.
 */
const rescueName = (location: string): string => `rescued-login-${fingerprint(location).slice(0, 16)}.json`;

/** Loaded when a rescued pair is first written or read. */
const schemas = onFirstUse((): typeof import("./schemas.ts") => require("./schemas.ts"));

export const rescuePath = (config: Pick<Config, "stateDir">, location: string): string => statePath(config, rescueName(location));

/** Keeps the pair; throws when even that cannot be written. */
export function saveRescue(config: Pick<Config, "stateDir">, location: string, spentRefreshToken: string, tokens: NewTokens): void {
  ensureStateDir(config);
  const record = { spent: fingerprint(spentRefreshToken), location, ...tokens };
  writePrivateFile(rescuePath(config, location), JSON.stringify(schemas().RescueSchema.parse(record)));
}

/**
 * The rescued pair for this store while it still holds the spent refresh token, or an empty one
 * (Claude Code blanks its file when the spent token is refused: the rescued pair is then the live
 * login); null otherwise.
 */
export function readRescue(config: Pick<Config, "stateDir">, location: string, refreshToken: string | null | undefined): NewTokens | null {
  if (refreshToken === null || refreshToken === undefined) return null;
  const text = readState(config, rescueName(location));
  if (text === null) return null;
  try {
    const parsed = schemas().RescueSchema.safeParse(JSON.parse(text));
    if (!parsed.success || parsed.data.location !== location) return null;
    if (refreshToken !== "" && parsed.data.spent !== fingerprint(refreshToken)) return null;
    const { accessToken, refreshToken: rotated, expiresAt, scopes, refreshTokenExpiresAt } = parsed.data;
    return { accessToken, refreshToken: rotated, expiresAt, scopes, ...(refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt }) };
  } catch {
    return null;
  }
}

/** The tokens of this store's rescued pair, unvalidated (see stringsAt). */
export const rescuedTokens = (config: Pick<Config, "stateDir">, location: string): string[] =>
  stringsAt(readState(config, rescueName(location)), [["accessToken"], ["refreshToken"]]);

export function clearRescue(config: Pick<Config, "stateDir">, location: string): void {
  try {
    unlinkSync(rescuePath(config, location));
  } catch {
    // There was none.
  }
}
