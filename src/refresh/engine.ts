import type { Config } from "../base/config.ts";
import { formatDuration } from "../base/durations.ts";
import { describeFsError, EXIT, IclaudeError, LOGIN_HINT } from "../base/errors.ts";
import { assertStateWritable } from "../base/state.ts";
import { type Assessment, assess, isRenewable, isUsable } from "../credentials/assessment.ts";
import { CLAUDE } from "../credentials/claude.ts";
import { loginWarnAt } from "../credentials/clocks.ts";
import { rememberDeadRefreshToken } from "../credentials/dead-tokens.ts";
import { type CredentialsFile, type NewTokens, type OAuthCredential, serializeCredentials, withNewTokens } from "../credentials/format.ts";
import { type ReservedWrite, readCredentials, type StoredCredentials } from "../credentials/store/index.ts";
import { readLongLived } from "../credentials/store/long-lived.ts";
import { clearRescue, readRescue, rescuePath, saveRescue } from "../credentials/store/rescue.ts";
import type { Terminal } from "../ui/terminal.ts";
import type { GrantError, GrantEvent, GrantResult } from "./grant.ts";
import { clearFailure, cooldownLeft, declinedRecently, recordFailure, rememberDecline } from "./memory.ts";

/** A box's login (the broker's access token, no refresh token), written through the same store and lock. */
export { type AccessOnly, type BoxTarget, boxTarget, storeBoxLogin } from "./box-login.ts";

export interface RefreshOptions {
  /** Refresh the access token now even if not due. */
  force?: boolean;
  /** The person's terminal, where the setup-token fallback may be offered and run (the caller checks TTYs and --no-interactive); none: never asked. */
  terminal?: Terminal;
  /** Bounded wait for Claude Code's lock (default 30 s). */
  lockWaitMs?: number;
  /** Overall budget for starting grant attempts (default 60 s); a request in flight always gets 30 s. */
  deadlineMs?: number;
  /** Try the network even inside the cooldown after a failure (`refresh --force`; never for a refused token). */
  overrideCooldown?: boolean;
  /** Told each attempt at the token endpoint and how it ended (ICLAUDE_DEBUG, a terminal's "still waiting"). */
  onGrant?: (event: GrantEvent) => void;
}

export type RefreshOutcome = "refreshed" | "restored" | "not-due" | "refreshed-elsewhere" | "long-lived-stored" | "declined";

export interface RefreshResult {
  outcome: RefreshOutcome;
  before: Assessment;
  after: Assessment;
  /** What was absurd in the token endpoint's answer and how it was bounded, to be said once; null when nothing was. */
  warning: string | null;
}

/** The access token in Claude Code's own store, whichever credential claude would use. */
const storedAccessToken = (a: Assessment): string | null => a.stored?.parsed?.claudeAiOauth?.accessToken ?? null;

/** What the locked part did; `dead`: no grant can help (`invalid_grant`), the fallback decides what next. */
type Redeemed = { outcome: "refreshed" | "restored" | "not-due" | "refreshed-elsewhere" | "dead"; warning: string | null };

const just = (outcome: Redeemed["outcome"]): Redeemed => ({ outcome, warning: null });

/**
 * Puts a pair the server has issued into the credentials. Should that fail,
 * the pair is kept in the state dir (rescue.ts) for the next run to adopt:
 * the refresh token behind it is already spent.
 */
function putNewPair(config: Config, stored: StoredCredentials, file: CredentialsFile, spent: string, tokens: NewTokens, reserved: ReservedWrite): void {
  try {
    reserved.commit(serializeCredentials(withNewTokens(file, tokens), stored));
  } catch (error) {
    try {
      saveRescue(config, stored.store.location, spent, tokens);
    } catch {
      throw error;
    }
    const reason = error instanceof IclaudeError && error.cause ? describeFsError(error.cause) : error instanceof Error ? error.message : String(error);
    throw new IclaudeError(
      `The new login could not be written to ${stored.store.location} (${reason}); it is kept in ${rescuePath(config, stored.store.location)} and put in place at the next iclaude run — free some space or fix the permissions.`,
      EXIT.refreshFailed,
    );
  }
  clearRescue(config, stored.store.location);
}

/** iclaude's own setting, else the credential's own `clientId`, else the CLI's (for Claude Code: CLAUDE_CODE_OAUTH_CLIENT_ID or the default). */
export function grantClientId(config: Pick<Config, "clientId">, oauth: Pick<OAuthCredential, "clientId"> | undefined, env = process.env): string {
  return config.clientId ?? oauth?.clientId ?? CLAUDE.clientId(env);
}

/** After the storage lock is not had for this long, the spent token's successor is written anyway: it is the only copy. */
const SAVE_LOCK_WAIT_MS = 30_000;

/**
 * Writes the new pair under Claude Code's storage-write lock into the credentials as they are now
 * (a key Claude Code saved meanwhile is kept), into the room reserved before the send. As Claude
 * Code does, credentials that meanwhile hold a different refresh token (a new login, another
 * refresh) are newer and are left alone.
 */
async function saveNewPair(
  config: Config,
  stored: StoredCredentials,
  posted: string,
  result: GrantResult,
  reserved: ReservedWrite,
  onGrant?: (event: GrantEvent) => void,
): Promise<"refreshed" | "refreshed-elsewhere"> {
  const { withStorageWriteLock } = await import("./locks.ts");
  const save = (): "refreshed" | "refreshed-elsewhere" => {
    let fresh = stored;
    try {
      const now = readCredentials(stored.store);
      if (now.parsed) fresh = now;
    } catch {
      // Unreadable now: the copy read under the refresh lock is the base.
    }
    const token = fresh.parsed?.claudeAiOauth?.refreshToken;
    if (!fresh.parsed || (token !== posted && token !== "")) return "refreshed-elsewhere";
    putNewPair(config, fresh, fresh.parsed, posted, result, reserved);
    return "refreshed";
  };
  try {
    return await withStorageWriteLock(config, SAVE_LOCK_WAIT_MS, save, () => onGrant?.({ kind: "lock-held", lock: "storage", waitMs: SAVE_LOCK_WAIT_MS }));
  } catch (error) {
    if (error instanceof IclaudeError && error.exitCode === EXIT.lockTimeout) return save();
    throw error;
  }
}

function grantFailure(error: GrantError, cooldown: number, forced: boolean): IclaudeError {
  const kept = "the old login was kept";
  switch (error.kind) {
    case "invalid-scope":
      return new IclaudeError(
        `Anthropic refused this login's own scopes (${error.reason}); ${kept} and its refresh token was not spent — ${LOGIN_HINT}.`,
        EXIT.refreshFailed,
      );
    case "rejected":
      return new IclaudeError(
        `The token endpoint refused the refresh (${error.reason}); ${kept} — check ICLAUDE_TOKEN_URL and ICLAUDE_CLIENT_ID.`,
        EXIT.refreshFailed,
      );
    case "redirected":
      return new IclaudeError(
        `The token endpoint answered with a redirect (${error.reason}); iclaude never sends a refresh token on to another address, so nothing was sent there and ${kept} — check ICLAUDE_TOKEN_URL.`,
        EXIT.refreshFailed,
      );
    case "out-of-files":
      return new IclaudeError(
        `The refresh could not be sent: ${error.reason}; ${kept} and its refresh token was not sent — close some programs or raise the open-file limit, then run \`iclaude refresh --force\`.`,
        EXIT.refreshFailed,
      );
    case "bad-answer":
      return new IclaudeError(`The token endpoint's answer could not be used (${error.reason}); ${kept} — try again later.`, EXIT.refreshFailed);
    default:
      return new IclaudeError(
        `The refresh failed (${error.reason}); ${kept} — check the network; the next try can be in ${formatDuration(cooldown)} (ICLAUDE_COOLDOWN)${forced ? "" : ", or now with `iclaude refresh --force`"}.`,
        EXIT.refreshFailed,
      );
  }
}

function refuseInCooldown(secondsLeft: number): void {
  if (secondsLeft <= 0) return;
  throw new IclaudeError(
    `A refresh failed moments ago; the next try is in ${formatDuration(secondsLeft)} (ICLAUDE_COOLDOWN) — or run \`iclaude refresh --force\`.`,
    EXIT.cooldown,
  );
}

/**
 * The grant under Claude Code's lock. Re-reads the credentials there: a changed
 * access token means someone else refreshed, and nothing is spent.
 */
async function redeem(config: Config, before: Assessment, options: RefreshOptions): Promise<Redeemed> {
  // Loaded only when a grant may be sent: a launch or a prompt with nothing due never pays for them.
  const [{ holdSignals, withRefreshLock, withStorageWriteLock }, { GrantError, grantWithRetries, LARGEST_RESULT }] = await Promise.all([
    import("./locks.ts"),
    import("./grant.ts"),
  ]);
  // Inside the cooldown there is nothing to wait for: not even Claude Code's lock.
  const spent = before.stored?.parsed?.claudeAiOauth?.refreshToken;
  if (spent && !options.overrideCooldown) refuseInCooldown(cooldownLeft(config, spent));
  // Signals held from the send are let through only after the locks are released, so no lock is left behind.
  const held: { signals?: { release: () => Promise<void> }; write?: ReservedWrite } = {};
  try {
    const lockWaitMs = options.lockWaitMs ?? 30_000;
    return await withRefreshLock(
      config,
      lockWaitMs,
      async () => {
        const current = await withStorageWriteLock(config, lockWaitMs, () => assess(config));
        if (storedAccessToken(current) !== storedAccessToken(before)) return just("refreshed-elsewhere");
        const file = current.stored?.parsed;
        const { rescued, stored } = current;
        if (rescued && file && stored) {
          const restored = await withStorageWriteLock(config, SAVE_LOCK_WAIT_MS, () => {
            // Claude Code may have saved something (an MCP login) since the read above: the pair goes into the file as it is now.
            const fresh = readCredentials(stored.store);
            const pair = fresh.parsed && readRescue(config, stored.store.location, fresh.parsed.claudeAiOauth?.refreshToken);
            if (!fresh.parsed || !pair) return false;
            const bytes = serializeCredentials(withNewTokens(fresh.parsed, pair), fresh);
            stored.store.reserveWrite(bytes.length).commit(bytes);
            return true;
          });
          if (!restored) return just("refreshed-elsewhere");
          clearRescue(config, stored.store.location);
          return just("restored");
        }
        if (!isRenewable(current)) return just("dead");
        if (!options.force && current.status !== "refresh-due") return just("not-due");
        const refreshToken = file?.claudeAiOauth?.refreshToken;
        if (!file || !current.stored || !refreshToken) return just("dead");
        if (!options.overrideCooldown) refuseInCooldown(cooldownLeft(config, refreshToken));
        // Everything the write of the answer needs is proven and had before the send: serialising, size, disk space.
        const size = serializeCredentials(withNewTokens(file, LARGEST_RESULT), current.stored).length;
        assertStateWritable(config);
        const reserved = current.stored.store.reserveWrite(size);
        held.write = reserved;
        held.signals = holdSignals();
        try {
          const clientId = grantClientId(config, file.claudeAiOauth);
          const { result } = await grantWithRetries(
            { tokenUrl: config.tokenUrl, clientId, refreshToken, scopes: current.scopes, userAgent: config.userAgent },
            { deadlineMs: options.deadlineMs ?? 60_000, onEvent: options.onGrant },
          );
          const saved = await saveNewPair(config, current.stored, refreshToken, result, reserved, options.onGrant);
          clearFailure(config, refreshToken);
          const warning =
            saved === "refreshed" && result.repairs.length
              ? `The token endpoint's answer was partly absurd (${result.repairs.join("; ")}); the new login was kept.`
              : null;
          return { outcome: saved, warning };
        } catch (error) {
          if (!(error instanceof GrantError)) throw error;
          // State is checked writable before the send; should it fail now, the failure still gets its own words.
          const remember = (write: () => void) => {
            try {
              write();
            } catch {
              // At worst a refused token is offered again later, and refused again.
            }
          };
          if (error.kind === "invalid-grant") remember(() => rememberDeadRefreshToken(config, refreshToken));
          remember(() => recordFailure(config, refreshToken, error.kind));
          if (error.kind !== "invalid-grant") throw grantFailure(error, config.cooldown, options.overrideCooldown === true);
          return just(storedAccessToken(assess(config)) !== storedAccessToken(current) ? "refreshed-elsewhere" : "dead");
        }
      },
      () => options.onGrant?.({ kind: "lock-held", lock: "refresh", waitMs: lockWaitMs }),
    );
  } finally {
    held.write?.release();
    await held.signals?.release();
  }
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
function shouldOfferEarly(config: Config, options: RefreshOptions, now = Date.now()): options is RefreshOptions & { terminal: Terminal } {
  if (!options.terminal || declinedRecently(config, now)) return false;
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

/**
 * Refreshes what is due (or, with `force`, the access token now). When the
 * grant cannot work, offers `claude setup-token` if interactive; otherwise a
 * person must log in (exit 20). Claude Code's credentials are only ever
 * replaced by a complete new pair.
 */
export async function refreshIfDue(config: Config, options: RefreshOptions = {}): Promise<RefreshResult> {
  const before = await firstLook(config, options);
  if (before.source === "env") return { outcome: "not-due", before, after: before, warning: null };
  let refused = false;
  if (before.rescued || (isRenewable(before) && (options.force || before.status === "refresh-due"))) {
    const { outcome, warning } = await redeem(config, before, options);
    if (outcome !== "dead") {
      const after = assess(config);
      if (after.status !== "login-expiring" || !shouldOfferEarly(config, options)) return { outcome, before, after, warning };
      await offerFallback(config, true, options.terminal);
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
    if (!shouldOfferEarly(config, options)) return { outcome: "not-due", before, after: state, warning: null };
    const stored = await offerFallback(config, true, options.terminal);
    return { outcome: stored ? "long-lived-stored" : "declined", before, after: assess(config), warning: null };
  }
  if (options.terminal && (await offerFallback(config, false, options.terminal))) {
    return { outcome: "long-lived-stored", before, after: assess(config), warning: null };
  }
  throw loginRequired(state, refusedLogin);
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
