import type { Config } from "../base/config.ts";
import { readState } from "../base/state.ts";
import { NEXT_CHECK } from "../edges/contract.ts";

/**
 * Whether a prompt would start the background refresh (REFRESH_ARGS) now: next-check read as the
 * shell hooks read it (at most 24 characters, digits only; anything else, or a time more than a
 * day ahead, is due now). A commit an agent makes is such a moment, and it costs one small read:
 * when to look is decided once, by whoever last wrote next-check.
 */
export function isCheckDue(config: Pick<Config, "stateDir">, now: number = Date.now()): boolean {
  const line = readState(config, NEXT_CHECK.file)?.slice(0, NEXT_CHECK.readChars).split("\n")[0] ?? "";
  const nowS = Math.floor(now / 1000);
  if (!/^\d+$/.test(line) || line.length > NEXT_CHECK.maxDigits) return true;
  const next = Number(line);
  return next > nowS + NEXT_CHECK.maxAheadS || nowS >= next;
}
