import type { GrantEvent } from "../refresh/grant.ts";
import { log } from "./log.ts";

/** How long a person waits on the token endpoint before being told it is still being waited for. */
const STILL_WAITING_MS = 3_000;

/** The endpoint as it may be shown: no user, password, query or fragment. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "the token endpoint";
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/**
 * Follows a refresh's attempts at the token endpoint: each one as a debug line (ICLAUDE_DEBUG=1),
 * and, where a person watches a terminal (`stillWaiting`), one line once a request has taken
 * more than ~3 s. Never in --json, --quiet or background runs: the caller decides.
 */
export function grantProgress(options: { stillWaiting: boolean }): { onGrant: (event: GrantEvent) => void; stop: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let told = false;
  const stop = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const onGrant = (event: GrantEvent): void => {
    if (event.kind === "lock-held") {
      const holder =
        event.lock === "refresh" ? "another refresh holds Claude Code's refresh lock" : "Claude Code is writing its credentials (its storage lock is held)";
      log.debug(`lock: ${holder}; waiting up to ${seconds(event.waitMs)}`);
      return;
    }
    if (event.kind === "send") {
      log.debug(`grant: attempt ${event.attempt}: POST ${shownUrl(event.url)}`);
      if (options.stillWaiting && !told && !timer) {
        timer = setTimeout(() => {
          told = true;
          log.info(`still waiting for ${shownUrl(event.url)} to answer…`);
        }, STILL_WAITING_MS);
      }
      return;
    }
    if (event.kind === "answered") {
      log.debug(`grant: attempt ${event.attempt}: answered with a new token pair`);
      stop();
      return;
    }
    log.debug(
      `grant: attempt ${event.attempt}: ${event.reason}${event.waitMs === null ? "; no further attempt" : `; next attempt in ${seconds(event.waitMs)}`}`,
    );
    if (event.waitMs === null) stop();
  };
  return { onGrant, stop };
}
