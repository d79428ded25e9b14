import type { Config } from "../base/config.ts";
import { readState } from "../base/state.ts";

/** The state file next-check.ts writes: one line, the Unix time in seconds of the next look. */
export const NEXT_CHECK = "next-check";

/** A next-check further ahead than this was not written by iclaude (it never sleeps past an hour). */
const MAX_AHEAD_S = 86_400;

/**
 * Whether a prompt would start `iclaude refresh --background --all` now: next-check read as the
 * shell hooks read it (at most 24 characters, digits only; anything else, or a time more than a
 * day ahead, is due now). A commit an agent makes is such a moment, and it costs one small read:
 * when to look is decided once, by whoever last wrote next-check.
 */
export function isCheckDue(config: Pick<Config, "stateDir">, now: number = Date.now()): boolean {
  const line = readState(config, NEXT_CHECK)?.slice(0, 24).split("\n")[0] ?? "";
  const nowS = Math.floor(now / 1000);
  if (!/^\d{1,12}$/.test(line)) return true;
  const next = Number(line);
  return next > nowS + MAX_AHEAD_S || nowS >= next;
}
