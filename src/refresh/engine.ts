import type { Config, ConfigFlags } from "../base/config.ts";
import { EXIT, IclaudeError, LOGIN_HINT } from "../base/errors.ts";
import { type Assessment, assess, isRefreshDue, isUsable } from "../credentials/assessment.ts";
import { loginWarnAt } from "../credentials/clocks.ts";
import { readLongLived } from "../credentials/store/long-lived.ts";
import type { Terminal } from "../ui/terminal.ts";
import { declinedRecently, rememberDecline } from "./memory.ts";
import { scheduleAfterRun } from "./next-check.ts";
import type { RedeemOptions } from "./redeem.ts";

/** A box's login (the broker's access token, no refresh token), written through the same store and lock. */
export { type AccessOnly, type BoxTarget, boxTarget, storeBoxLogin } from "./box-login.ts";

export interface RefreshOptions extends RedeemOptions {
  /** The person's terminal, where the setup-token fallback may be offered and run (the caller checks TTYs and --no-interactive); none: never asked. */
  terminal?: Terminal;
  /** Instead of `terminal`: chooses it on the first look (a launch offers at most once a day, and only when a person is needed). */
  offerTo?: (before: Assessment) => Terminal | undefined;
  /** A launch: a login no grant was tried for and no person was asked about is handed back as it is (`not-due`), not thrown — claude says what to do. */
  keepUnrenewable?: boolean;
  /** The flags of the run: the next-check written after it judges every profile with them. */
  flags?: ConfigFlags;
}

export type RefreshOutcome = "refreshed" | "restored" | "not-due" | "refreshed-elsewhere" | "long-lived-stored" | "declined";

export interface RefreshResult {
  outcome: RefreshOutcome;
  before: Assessment;
  after: Assessment;
  /** What was absurd in the token endpoint's answer and how it was bounded, to be said once; null when nothing was. */
  warning: string | null;
}

/** Why no grant can help, as the one sentence of exit 20. */
function loginRequired(a: Assessment, refused: boolean): IclaudeError {
  if (a.status === "invalid" && a.error) return new IclaudeError(a.error.message, EXIT.loginRequired);
  if (a.status === "missing") return new IclaudeError(`There is no Claude login in ${a.path}; log in with \`claude /login\`.`, EXIT.loginRequired);
  if (a.ended === "refused")
    return new IclaudeError(`Claude Code ended this login after Anthropic refused its refresh token; ${LOGIN_HINT}.`, EXIT.loginRequired);
  if (a.ended === "time-limit") return new IclaudeError(`Claude Code ended this login: it reached its time limit; ${LOGIN_HINT}.`, EXIT.loginRequired);
  const what = refused ? "Anthropic no longer accepts this login's refresh token (invalid_grant)" : "The Claude login has ended";
  return new IclaudeError(`${what}; ${LOGIN_HINT}.`, EXIT.loginRequired);
}

async function offerFallback(config: Config, expiring: boolean, terminal: Terminal): Promise<boolean> {
  const { offerSetupToken } = await import("./setup-token.ts");
  const stored = await offerSetupToken(config, expiring, terminal);
  if (!stored && expiring) rememberDecline(config);
  return stored;
}

/**
 * For a login that is only expiring, the offer is made once: not again for a
 * day after a no, nor while a stored long-lived token outlasts the threshold.
 */
function shouldOfferEarly(config: Config, terminal: Terminal | undefined, now = Date.now()): terminal is Terminal {
  if (!terminal || declinedRecently(config, now)) return false;
  const longLived = readLongLived(config);
  return !longLived || now > loginWarnAt(longLived.expiresAt, config);
}

/**
 * The first look is taken without Claude Code's storage-write lock, and Claude Code writes its file in
 * place under that lock: a file read empty or cut short may be one being written. Such a verdict is
 * looked at again under the lock, where the write is whole; it never asks a person to log in by itself.
 */
async function firstLook(config: Config, options: RefreshOptions): Promise<Assessment> {
  const before = assess(config);
  if (before.status !== "invalid") return before;
  const { withStorageWriteLock } = await import("./locks.ts");
  const waitMs = options.lockWaitMs ?? 30_000;
  try {
    return await withStorageWriteLock(
      config,
      waitMs,
      () => assess(config),
      () => options.onGrant?.({ kind: "lock-held", lock: "storage", waitMs }),
    );
  } catch {
    // No lock to be had (a read-only dir, a holder that never lets go): one more look, then its verdict.
    return assess(config);
  }
}

/** What refreshIfDue does, from the one read of the credentials to its result. */
async function settle(config: Config, options: RefreshOptions): Promise<RefreshResult> {
  const before = await firstLook(config, options);
  const terminal = options.terminal ?? options.offerTo?.(before);
  if (before.source === "env") return { outcome: "not-due", before, after: before, warning: null };
  let refused = false;
  if (isRefreshDue(before, options.force)) {
    const { redeem } = await import("./redeem.ts");
    const { outcome, warning, written } = await redeem(config, before, options);
    if (outcome !== "dead") {
      const after = assess(config, process.env, Date.now(), written);
      if (after.status !== "login-expiring" || !shouldOfferEarly(config, terminal)) return { outcome, before, after, warning };
      await offerFallback(config, true, terminal);
      return { outcome, before, after: assess(config), warning };
    }
    refused = true;
  }
  // Judged again only after a grant was tried: otherwise nothing has changed since `before`.
  const state = refused ? assess(config) : before;
  // A refresh token Anthropic refused ends Claude Code's login now, however long its access token lasts.
  const refusedLogin = state.source !== "long-lived" && (refused || state.refreshTokenDead);
  if (!refusedLogin && (state.status === "valid" || state.status === "refresh-due")) return { outcome: "not-due", before, after: state, warning: null };
  if (!refusedLogin && state.status === "login-expiring") {
    if (!shouldOfferEarly(config, terminal)) return { outcome: "not-due", before, after: state, warning: null };
    const stored = await offerFallback(config, true, terminal);
    return { outcome: stored ? "long-lived-stored" : "declined", before, after: assess(config), warning: null };
  }
  if (terminal && (await offerFallback(config, false, terminal))) {
    return { outcome: "long-lived-stored", before, after: assess(config), warning: null };
  }
  if (options.keepUnrenewable && !refused && !terminal) return { outcome: "not-due", before, after: state, warning: null };
  throw loginRequired(state, refusedLogin);
}

/**
 * Refreshes what is due (or, with `force`, the access token now). When the
 * grant cannot work, offers `claude setup-token` if interactive; otherwise a
 * person must log in (exit 20). Claude Code's credentials are only ever
 * replaced by a complete new pair, here alone (redeem.ts, save.ts). Whatever
 * the outcome, the shell hook's next-check then follows what is stored.
 */
export async function refreshIfDue(config: Config, options: RefreshOptions = {}): Promise<RefreshResult> {
  let result: RefreshResult | undefined;
  try {
    result = await settle(config, options);
    return result;
  } finally {
    // The verdict just made is the schedule's for this profile: the credentials are not read again for it.
    scheduleAfterRun(config, options.flags, result?.after);
  }
}

/** What `iclaude token` and the broker hand out: a token claude could send now, after a refresh of what was due. */
export interface UsableToken {
  /** Null when there is no token claude could send. */
  current: (Assessment & { accessToken: string }) | null;
  /** A refresh that worked but had something to say (RefreshResult.warning). */
  warning: string | null;
  /** A refresh that failed while the token it would have replaced still works. */
  failure: IclaudeError | null;
}

/** A failed refresh does not take away a token that still works: it is handed out, with the failure. */
export async function usableToken(config: Config, options: RefreshOptions = {}): Promise<UsableToken> {
  try {
    const { after, warning } = await refreshIfDue(config, options);
    return { current: isUsable(after) ? after : null, warning, failure: null };
  } catch (error) {
    const current = assess(config);
    if (!(error instanceof IclaudeError) || !isUsable(current)) throw error;
    return { current, warning: null, failure: error };
  }
}
