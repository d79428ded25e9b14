import { unlinkSync } from "node:fs";
import type { Config } from "../base/config.ts";
import { writePrivateFile } from "../base/fs.ts";
import { fingerprint } from "../base/secrets.ts";
import { ensureStateDir, pastStamp, readState, statePath } from "../base/state.ts";
import { ONCE_A_DAY_S } from "../edges/contract.ts";

/*
 * What iclaude remembers between runs about refreshing and asking: the last failure (the
 * cooldown), and when a person was last offered or declined the long-lived fallback. All of it
 * advisory: a lost file costs at most one extra attempt or question.
 */

/** Whose memory: a profile's own (Config.profileSuffix), so one profile's failure never overwrites another's cooldown. */
type Memory = Pick<Config, "stateDir"> & Partial<Pick<Config, "profileSuffix">>;

const lastFailureName = (config: Memory): string => `last-failure${config.profileSuffix ?? ""}`;

/** The last failed refresh: when, which refresh token (by fingerprint), and how it failed. */
export interface LastFailure {
  /** ms since epoch. */
  at: number;
  fingerprint: string;
  kind: string;
}

/** The last failure, unless it is stamped ahead of the clock (see pastStamp). */
export function readLastFailure(config: Memory, now = Date.now()): LastFailure | null {
  const text = readState(config, lastFailureName(config));
  if (text === null) return null;
  try {
    const data: unknown = JSON.parse(text);
    if (data && typeof data === "object" && "at" in data && "fingerprint" in data && "kind" in data) {
      const { at, fingerprint: fp, kind } = data;
      const stamp = pastStamp(at, now);
      if (stamp !== null && typeof fp === "string" && typeof kind === "string") return { at: stamp, fingerprint: fp, kind };
    }
  } catch {
    // A torn or foreign file is no failure at all: state is advisory.
  }
  return null;
}

export function recordFailure(config: Memory, refreshToken: string, kind: string, at = Date.now()): void {
  ensureStateDir(config);
  writePrivateFile(statePath(config, lastFailureName(config)), JSON.stringify({ at, fingerprint: fingerprint(refreshToken), kind }));
}

/** After a success with this refresh token: a failure of another token keeps its cooldown. */
export function clearFailure(config: Memory, refreshToken: string): void {
  const failure = readLastFailure(config);
  if (failure && failure.fingerprint !== fingerprint(refreshToken)) return;
  try {
    unlinkSync(statePath(config, lastFailureName(config)));
  } catch {
    // Already gone.
  }
}

const cooldownToldName = (config: Memory): string => `cooldown-told${config.profileSuffix ?? ""}`;

/** True once per failed refresh: the first launch inside its cooldown says so, the ones after it do not. */
export function cooldownNoticeDue(config: Memory): boolean {
  const failure = readLastFailure(config);
  if (!failure) return true;
  if (readState(config, cooldownToldName(config))?.trim() === String(failure.at)) return false;
  try {
    writePrivateFile(statePath(config, cooldownToldName(config)), `${failure.at}\n`);
  } catch {
    // Advisory: at worst the line comes again at the next launch.
  }
  return true;
}

const DECLINED = "setup-token-declined";
const DAY_MS = ONCE_A_DAY_S * 1000;

/** A person said no to `claude setup-token` for an expiring login: not asked again for a day. */
export function rememberDecline(config: Pick<Config, "stateDir">, at = Date.now()): void {
  ensureStateDir(config);
  writePrivateFile(statePath(config, DECLINED), `${at}\n`);
}

export function declinedRecently(config: Pick<Config, "stateDir">, now = Date.now()): boolean {
  const at = pastStamp(Number(readState(config, DECLINED)), now);
  return at !== null && now - at < DAY_MS;
}

const LAUNCH_OFFER = "launch-offer";

/** The launcher offers the long-lived fallback at a terminal at most once a day. */
export function launchOfferDue(config: Pick<Config, "stateDir">, now = Date.now()): boolean {
  const at = pastStamp(Number(readState(config, LAUNCH_OFFER)), now);
  return at === null || now - at >= DAY_MS;
}

export function rememberLaunchOffer(config: Pick<Config, "stateDir">, at = Date.now()): void {
  try {
    ensureStateDir(config);
    writePrivateFile(statePath(config, LAUNCH_OFFER), `${at}\n`);
  } catch {
    // Advisory: at worst the offer comes again at the next launch.
  }
}

/**
 * Seconds left of the cooldown after a failed refresh of this same refresh
 * token; 0 when none. A different token (a new login) is never held back.
 */
export function cooldownLeft(config: Memory & Pick<Config, "cooldown">, refreshToken: string, now = Date.now()): number {
  const failure = readLastFailure(config, now);
  if (!failure || failure.fingerprint !== fingerprint(refreshToken)) return 0;
  const left = failure.at + config.cooldown * 1000 - now;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}
