import type { Config } from "../base/config.ts";
import { formatDuration } from "../base/durations.ts";
import { EXIT, IclaudeError, LOGIN_HINT } from "../base/errors.ts";
import { assertStateWritable } from "../base/state.ts";
import { type Assessment, assess, isRefreshDue, isRenewable } from "../credentials/assessment.ts";
import { CLAUDE } from "../credentials/claude.ts";
import { rememberDeadRefreshToken } from "../credentials/dead-tokens.ts";
import { type OAuthCredential, serializeCredentials, withNewTokens } from "../credentials/format.ts";
import type { ReservedWrite, StoredCredentials } from "../credentials/store/index.ts";
import { GrantError, type GrantEvent, grantWithRetries, LARGEST_RESULT } from "./grant.ts";
import { holdSignals, withRefreshLock, withStorageWriteLock } from "./locks.ts";
import { clearFailure, cooldownLeft, recordFailure } from "./memory.ts";
import { restoreRescued, saveNewPair } from "./save.ts";

/**
 * The locked part of a refresh: the grant and the write of its answer. Loaded by engine.ts only
 * when a grant may be sent (a launch or a prompt with nothing due never pays for it), and called
 * only by its refreshIfDue: the one refresh path.
 */

/** What the locked part is told (RefreshOptions' share of it). */
export interface RedeemOptions {
  /** Refresh the access token now even if not due. */
  force?: boolean;
  /** Bounded wait for Claude Code's lock (default 30 s). */
  lockWaitMs?: number;
  /** Overall budget for starting grant attempts (default 60 s); a request in flight always gets 30 s. */
  deadlineMs?: number;
  /** Try the network even inside the cooldown after a failure (`refresh --force`; never for a refused token). */
  overrideCooldown?: boolean;
  /** Told each attempt at the token endpoint and how it ended (ICLAUDE_DEBUG, a terminal's "still waiting"). */
  onGrant?: (event: GrantEvent) => void;
}

/**
 * What the locked part did; `dead`: no grant can help (`invalid_grant`), the fallback decides what
 * next. `written`: the credentials a refresh put in place, to be judged without reading them back.
 */
export type Redeemed = {
  outcome: "refreshed" | "restored" | "not-due" | "refreshed-elsewhere" | "dead";
  warning: string | null;
  written?: StoredCredentials;
};

const just = (outcome: Redeemed["outcome"]): Redeemed => ({ outcome, warning: null });

/** The access token in Claude Code's own store, whichever credential claude would use. */
const storedAccessToken = (a: Assessment): string | null => a.stored?.parsed?.claudeAiOauth?.accessToken ?? null;

/** iclaude's own setting, else the credential's own `clientId`, else the CLI's (for Claude Code: CLAUDE_CODE_OAUTH_CLIENT_ID or the default). */
export function grantClientId(config: Pick<Config, "clientId">, oauth: Pick<OAuthCredential, "clientId"> | undefined, env = process.env): string {
  return config.clientId ?? oauth?.clientId ?? CLAUDE.clientId(env);
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

/** A failed grant remembered: the cooldown, and a refused token as dead. At worst a refused token is offered again later, and refused again. */
function remember(write: () => void): void {
  try {
    write();
  } catch {
    // State is checked writable before the send; should it fail now, the failure still gets its own words.
  }
}

/** The grant and the write of its answer, for credentials re-read under the locks and found due. */
async function send(
  config: Config,
  current: Assessment,
  options: RedeemOptions,
  held: { signals?: { release: () => Promise<void> }; write?: ReservedWrite },
): Promise<Redeemed> {
  const file = current.stored?.parsed;
  const refreshToken = file?.claudeAiOauth?.refreshToken;
  if (!file || !current.stored || !refreshToken) return just("dead");
  if (!options.overrideCooldown) refuseInCooldown(cooldownLeft(config, refreshToken));
  // Everything the write of the answer needs is proven and had before the send: serialising, size, disk space.
  const size = serializeCredentials(withNewTokens(file, LARGEST_RESULT), current.stored).length;
  assertStateWritable(config);
  const reserved = current.stored.store.reserveWrite(size, current.stored.bytes);
  held.write = reserved;
  held.signals = holdSignals();
  try {
    const clientId = grantClientId(config, file.claudeAiOauth);
    const { result } = await grantWithRetries(
      { tokenUrl: config.tokenUrl, clientId, refreshToken, scopes: current.scopes, userAgent: config.userAgent },
      { deadlineMs: options.deadlineMs ?? 60_000, onEvent: options.onGrant },
    );
    const written = await saveNewPair(config, current.stored, refreshToken, result, reserved, options.onGrant);
    clearFailure(config, refreshToken);
    if (!written) return just("refreshed-elsewhere");
    const warning = result.repairs.length ? `The token endpoint's answer was partly absurd (${result.repairs.join("; ")}); the new login was kept.` : null;
    return { outcome: "refreshed", warning, written };
  } catch (error) {
    if (!(error instanceof GrantError)) throw error;
    if (error.kind === "invalid-grant") remember(() => rememberDeadRefreshToken(config, refreshToken));
    remember(() => recordFailure(config, refreshToken, error.kind));
    if (error.kind !== "invalid-grant") throw grantFailure(error, config.cooldown, options.overrideCooldown === true);
    return just(storedAccessToken(assess(config)) !== storedAccessToken(current) ? "refreshed-elsewhere" : "dead");
  }
}

/**
 * The grant under Claude Code's lock. Re-reads the credentials there: a changed
 * access token means someone else refreshed, and nothing is spent.
 */
export async function redeem(config: Config, before: Assessment, options: RedeemOptions): Promise<Redeemed> {
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
      async (): Promise<Redeemed> => {
        const current = await withStorageWriteLock(config, lockWaitMs, () => assess(config));
        if (storedAccessToken(current) !== storedAccessToken(before)) return just("refreshed-elsewhere");
        if (current.rescued && current.stored?.parsed) return just((await restoreRescued(config, current.stored)) ? "restored" : "refreshed-elsewhere");
        if (!isRenewable(current)) return just("dead");
        if (!isRefreshDue(current, options.force)) return just("not-due");
        return send(config, current, options, held);
      },
      () => options.onGrant?.({ kind: "lock-held", lock: "refresh", waitMs: lockWaitMs }),
    );
  } finally {
    held.write?.release();
    await held.signals?.release();
  }
}
