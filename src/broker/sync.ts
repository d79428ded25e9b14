import { IclaudeError } from "../base/errors.ts";
import { scaledDelay } from "../base/proc.ts";
import { type BoxTarget, boxTarget, storeBoxLogin } from "../refresh/engine.ts";
import { requestToken } from "./client.ts";
import type { TokenAnswer } from "./protocol.ts";

/**
 * Inside a box: Claude Code's `.credentials.json` holding the broker's access
 * token and no refresh token, written by the one credentials writer
 * (refresh/box-login.ts, through the engine).
 */

export type SyncTarget = BoxTarget;
export { boxTarget };

export interface SyncResult {
  answer: TokenAnswer;
  changed: boolean;
  /** Settings files that could not be read as JSON, so onboarding could not be marked there. */
  skipped: string[];
}

export async function syncOnce(socket: string, profile: string | null, target: SyncTarget): Promise<SyncResult> {
  const answer = await requestToken(socket, profile);
  return { answer, ...(await storeBoxLogin(target, answer)) };
}

export interface KeepSynced {
  stop(): void;
}

/**
 * Asks the broker again every `intervalMs` (the broker refreshes what is due,
 * an hour before expiry by default), rewriting the file only when the token
 * changed. A broker that is briefly gone is retried at the next tick.
 */
export function keepSynced(
  socket: string,
  profile: string | null,
  target: SyncTarget,
  intervalMs: number,
  onTick: (result: SyncResult | IclaudeError) => void,
): KeepSynced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      onTick(await syncOnce(socket, profile, target));
    } catch (error) {
      if (!(error instanceof IclaudeError)) throw error;
      onTick(error);
    }
    if (!stopped) timer = setTimeout(tick, scaledDelay(intervalMs));
  };
  timer = setTimeout(tick, scaledDelay(intervalMs));
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
