/**
 * The launch's look at the login, loaded only when the last check's verdict does not stand
 * (last-check.ts): the credentials read and judged once, what is due refreshed, a person told.
 */
import type { Config } from "../base/config.ts";
import { EXIT, IclaudeError, messageOf } from "../base/errors.ts";
import { stateTrustError } from "../base/state-trust.ts";
import { isTerminal } from "../base/tty.ts";
import { type Assessment, assess } from "../credentials/assessment.ts";
import { refreshIfDue } from "../refresh/engine.ts";
import { cooldownNoticeDue, launchOfferDue, rememberLaunchOffer } from "../refresh/memory.ts";
import { log } from "../ui/log.ts";
import { grantProgress } from "../ui/progress.ts";
import type { Terminal } from "../ui/terminal.ts";
import { LAUNCH_WORDS } from "../ui/words.ts";

/** A launch waits this little for the lock and the endpoint: a slow refresh must not hold claude back. */
const BEFORE_LAUNCH = { lockWaitMs: 3_000, deadlineMs: 5_000 };
/** A run already failed for its login; a little more patience buys it its answer. */
const AFTER_REFUSAL = { lockWaitMs: 10_000, deadlineMs: 15_000 };

function safeAssess(config: Config): Assessment | null {
  try {
    return assess(config);
  } catch (error) {
    log.warn(LAUNCH_WORDS.cannotJudge(messageOf(error)));
    return null;
  }
}

/** A person must act on this login: said at a terminal, where the long-lived fallback may also be offered. */
const personNeeded = (a: Assessment): boolean => a.status === "login-expiring" || a.status === "expired";

/**
 * Before claude starts: refresh what is due, briefly; at a terminal, say when
 * a person must act and offer the long-lived fallback at most once a day.
 * The engine reads the credentials and decides; this only words it.
 * Never throws: a launch is never lost to iclaude.
 */
export async function prepare(config: Config, atTerminal: boolean, terminal: Terminal): Promise<Assessment | null> {
  const distrusted = stateTrustError(config, LAUNCH_WORDS.distrusted);
  if (distrusted) log.warn(distrusted.message);
  const now = Date.now();
  let first: Assessment | null = null;
  let offered = false;
  const offerTo = (before: Assessment): Terminal | undefined => {
    first = before;
    offered = atTerminal && personNeeded(before) && launchOfferDue(config, now);
    if (!offered) return undefined;
    rememberLaunchOffer(config, now);
    return terminal;
  };
  const progress = grantProgress({ stillWaiting: isTerminal(2) });
  try {
    const result = await refreshIfDue(config, { ...BEFORE_LAUNCH, offerTo, keepUnrenewable: true, onGrant: progress.onGrant });
    if (result.warning) log.warn(result.warning);
    if (result.outcome === "not-due" && !offered && atTerminal && personNeeded(result.before)) log.warn(LAUNCH_WORDS.personNeeded(result.before, now));
    return result.after;
  } catch (error) {
    if (!first) {
      log.warn(LAUNCH_WORDS.cannotJudge(messageOf(error)));
      return null;
    }
    // A failed refresh is told once: the launches inside its cooldown that follow stay quiet.
    const failed = error instanceof IclaudeError && (error.exitCode === EXIT.refreshFailed || error.exitCode === EXIT.cooldown);
    if (!failed || cooldownNoticeDue(config)) log.warn(LAUNCH_WORDS.anyway(messageOf(error)));
    return safeAssess(config) ?? first;
  } finally {
    progress.stop();
  }
}

/**
 * One forced refresh after claude's login was refused: the new assessment, or why there is none.
 * A long-lived token that takes over only now (claude has just ended its own login) is worth the retry.
 */
export async function renewAfterRefusal(config: Config, first: Assessment | null): Promise<Assessment | string> {
  try {
    const { outcome, after } = await refreshIfDue(config, { ...AFTER_REFUSAL, force: true });
    if (outcome === "refreshed" || outcome === "restored" || outcome === "refreshed-elsewhere" || outcome === "long-lived-stored") return after;
    if (after.source === "long-lived" && first?.source !== "long-lived") return after;
    return after.source === "env" ? LAUNCH_WORDS.envToken : LAUNCH_WORDS.nothingToRenew;
  } catch (error) {
    return messageOf(error);
  }
}
