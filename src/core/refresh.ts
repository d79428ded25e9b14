import { loginWarnAt } from "./clocks.ts";
import type { Config } from "./config.ts";
import { DEFAULT_CLIENT_ID } from "./config.ts";
import { serializeCredentials, withNewTokens, type CredentialsFile, type OAuthCredential } from "./credentials.ts";
import { assess, type Assessment } from "./current.ts";
import { EXIT, IclaudeError, LOGIN_HINT } from "./errors.ts";
import type { GrantError, GrantResult } from "./oauth.ts";
import { readCredentials, type StoredCredentials } from "./store/index.ts";
import { assertStateWritable, clearFailure, declinedRecently, recordFailure, rememberDeadRefreshToken, rememberDecline } from "./state.ts";
import { readLongLived } from "./store/long-lived.ts";

export interface RefreshOptions {
  /** Refresh the access token now even if not due. */
  force?: boolean;
  /** May offer and run the setup-token fallback (the caller checks TTYs and --no-interactive). */
  interactive?: boolean;
  /** Bounded wait for Claude Code's lock (default 30 s). */
  lockWaitMs?: number;
  /** Overall budget for starting grant attempts (default 60 s); a request in flight always gets 30 s. */
  deadlineMs?: number;
  /** Try the network even inside the cooldown after a failure (`refresh --force`; never for a refused token). */
  overrideCooldown?: boolean;
}

export type RefreshOutcome = "refreshed" | "not-due" | "refreshed-elsewhere" | "long-lived-stored" | "declined";

export interface RefreshResult {
  outcome: RefreshOutcome;
  before: Assessment;
  after: Assessment;
}

/** Claude Code's own login, renewable by the grant right now. */
const renewable = (a: Assessment): boolean =>
  (a.store === "file" || a.store === "keychain") && a.hasRefreshToken && !a.refreshTokenDead && a.status !== "expired" && a.status !== "invalid";

/** The access token in Claude Code's own store, whichever credential claude would use. */
const storedAccessToken = (a: Assessment): string | null => a.stored?.file?.claudeAiOauth?.accessToken ?? null;

/** A grant that ended in `invalid_grant`: the login is gone, the fallback decides what next. */
type Redeemed = "refreshed" | "not-due" | "refreshed-elsewhere" | "dead";

/** iclaude's own setting, else the credential's own `clientId`, else Claude Code's (CLAUDE_CODE_OAUTH_CLIENT_ID or the default). */
export function grantClientId(config: Pick<Config, "clientId">, oauth: Pick<OAuthCredential, "clientId"> | undefined, env = process.env): string {
  return config.clientId ?? oauth?.clientId ?? (env.CLAUDE_CODE_OAUTH_CLIENT_ID || DEFAULT_CLIENT_ID);
}

/** After the storage lock is not had for this long, the spent token's successor is written anyway: it is the only copy. */
const SAVE_LOCK_WAIT_MS = 30_000;

/**
 * Writes the new pair under Claude Code's storage-write lock into the file as it is now (a key
 * Claude Code saved meanwhile is kept). As Claude Code does, a file that meanwhile holds a
 * different refresh token (a new login, another refresh) is newer and is left alone.
 */
async function saveNewPair(config: Config, stored: StoredCredentials, posted: string, result: GrantResult): Promise<"refreshed" | "refreshed-elsewhere"> {
  const { withStorageWriteLock } = await import("./coordinator.ts");
  const save = (): "refreshed" | "refreshed-elsewhere" => {
    let file: CredentialsFile | null = stored.file;
    try {
      file = readCredentials(stored.store).file ?? stored.file;
    } catch {
      // Unreadable now: the copy read under the refresh lock is the base.
    }
    const now = file?.claudeAiOauth?.refreshToken;
    if (!file || (now !== posted && now !== "")) return "refreshed-elsewhere";
    stored.store.writeText(serializeCredentials(withNewTokens(file, result)));
    return "refreshed";
  };
  try {
    return await withStorageWriteLock(config, SAVE_LOCK_WAIT_MS, save);
  } catch (error) {
    if (error instanceof IclaudeError && error.exitCode === EXIT.lockTimeout) return save();
    throw error;
  }
}

function grantFailure(error: GrantError): IclaudeError {
  const kept = "the old login was kept";
  switch (error.kind) {
    case "invalid-scope":
      return new IclaudeError(`Anthropic refused this login's own scopes (${error.reason}); ${kept} and its refresh token was not spent — ${LOGIN_HINT}.`, EXIT.refreshFailed);
    case "rejected":
      return new IclaudeError(`The token endpoint refused the refresh (${error.reason}); ${kept} — check ICLAUDE_TOKEN_URL and ICLAUDE_CLIENT_ID.`, EXIT.refreshFailed);
    case "bad-answer":
      return new IclaudeError(`The token endpoint's answer could not be used (${error.reason}); ${kept} — try again later.`, EXIT.refreshFailed);
    default:
      return new IclaudeError(`The refresh failed (${error.reason}); ${kept} — check the network and try again in a minute.`, EXIT.refreshFailed);
  }
}

/**
 * The grant under Claude Code's lock. Re-reads the credentials there: a changed
 * access token means someone else refreshed, and nothing is spent.
 */
async function redeem(config: Config, before: Assessment, options: RefreshOptions): Promise<Redeemed> {
  // Loaded only when a grant may be sent: a launch or a prompt with nothing due never pays for them.
  const [{ cooldownLeft, holdSignals, withRefreshLock, withStorageWriteLock }, { GrantError, grantWithRetries }] = await Promise.all([
    import("./coordinator.ts"),
    import("./oauth.ts"),
  ]);
  // Signals held from the send are let through only after the locks are released, so no lock is left behind.
  const held: { signals?: { release: () => Promise<void> } } = {};
  try {
    return await withRefreshLock(config, options.lockWaitMs ?? 30_000, async () => {
      const current = await withStorageWriteLock(config, options.lockWaitMs ?? 30_000, () => assess(config));
      if (storedAccessToken(current) !== storedAccessToken(before)) return "refreshed-elsewhere";
      if (!renewable(current)) return "dead";
      if (!options.force && current.status !== "refresh-due") return "not-due";
      const file = current.stored?.file;
      const refreshToken = file?.claudeAiOauth?.refreshToken;
      if (!file || !current.stored || !refreshToken) return "dead";
      const wait = cooldownLeft(config, refreshToken);
      if (wait > 0 && !options.overrideCooldown) {
        throw new IclaudeError(`A refresh failed moments ago; the next try is in ${wait}s (ICLAUDE_COOLDOWN) — or run \`iclaude refresh --force\`.`, EXIT.cooldown);
      }
      current.stored.store.probeWrite();
      assertStateWritable(config);
      held.signals = holdSignals();
      try {
        const clientId = grantClientId(config, file.claudeAiOauth);
        const { result } = await grantWithRetries(
          { tokenUrl: config.tokenUrl, clientId, refreshToken, scopes: current.scopes, userAgent: config.userAgent },
          { deadlineMs: options.deadlineMs ?? 60_000 },
        );
        const saved = await saveNewPair(config, current.stored, refreshToken, result);
        clearFailure(config);
        return saved;
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
        if (error.kind !== "invalid-grant") throw grantFailure(error);
        return storedAccessToken(assess(config)) !== storedAccessToken(current) ? "refreshed-elsewhere" : "dead";
      }
    });
  } finally {
    await held.signals?.release();
  }
}

/** Why no grant can help, as the one sentence of exit 20. */
function loginRequired(a: Assessment, refused: boolean): IclaudeError {
  if (a.status === "invalid" && a.error) return new IclaudeError(a.error.message, EXIT.loginRequired);
  if (a.status === "missing") return new IclaudeError(`There is no Claude login in ${a.path}; log in with \`claude /login\`.`, EXIT.loginRequired);
  if (a.ended === "refused") return new IclaudeError(`Claude Code ended this login after Anthropic refused its refresh token; ${LOGIN_HINT}.`, EXIT.loginRequired);
  if (a.ended === "time-limit") return new IclaudeError(`Claude Code ended this login: it reached its time limit; ${LOGIN_HINT}.`, EXIT.loginRequired);
  const what = refused ? "Anthropic no longer accepts this login's refresh token (invalid_grant)" : "The Claude login has ended";
  return new IclaudeError(`${what}; ${LOGIN_HINT}.`, EXIT.loginRequired);
}

async function offerFallback(config: Config, expiring: boolean): Promise<boolean> {
  const { offerSetupToken } = await import("./setup-token.ts");
  const stored = await offerSetupToken(config, expiring);
  if (!stored && expiring) rememberDecline(config);
  return stored;
}

/**
 * For a login that is only expiring, the offer is made once: not again for a
 * day after a no, nor while a stored long-lived token outlasts the threshold.
 */
function shouldOfferEarly(config: Config, options: RefreshOptions, now = Date.now()): boolean {
  if (!options.interactive || declinedRecently(config, now)) return false;
  const longLived = readLongLived(config);
  return !longLived || now > loginWarnAt(longLived.expiresAt, config);
}

/**
 * Refreshes what is due (or, with `force`, the access token now). When the
 * grant cannot work, offers `claude setup-token` if interactive; otherwise a
 * person must log in (exit 20). Claude Code's credentials are only ever
 * replaced by a complete new pair.
 */
export async function refreshIfDue(config: Config, options: RefreshOptions = {}): Promise<RefreshResult> {
  const before = assess(config);
  if (before.store === "env") return { outcome: "not-due", before, after: before };
  let refused = false;
  if (renewable(before) && (options.force || before.status === "refresh-due")) {
    const redeemed = await redeem(config, before, options);
    if (redeemed !== "dead") {
      const after = assess(config);
      if (after.status === "login-expiring" && shouldOfferEarly(config, options)) await offerFallback(config, true);
      return { outcome: redeemed, before, after: assess(config) };
    }
    refused = true;
  }
  const state = assess(config);
  // A refresh token Anthropic refused ends Claude Code's login now, however long its access token lasts.
  const refusedLogin = state.store !== "long-lived" && (refused || state.refreshTokenDead);
  if (!refusedLogin && (state.status === "valid" || state.status === "refresh-due")) return { outcome: "not-due", before, after: state };
  if (!refusedLogin && state.status === "login-expiring") {
    if (!shouldOfferEarly(config, options)) return { outcome: "not-due", before, after: state };
    const stored = await offerFallback(config, true);
    return { outcome: stored ? "long-lived-stored" : "declined", before, after: assess(config) };
  }
  if (options.interactive && (await offerFallback(config, false))) {
    return { outcome: "long-lived-stored", before, after: assess(config) };
  }
  throw loginRequired(state, refusedLogin);
}
