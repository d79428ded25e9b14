import { EXIT } from "../base/errors.ts";

/** The verdict on a credential, and the exit code `iclaude status` gives for it (from the one table). */
export const STATUS_EXIT = {
  valid: EXIT.ok,
  "refresh-due": EXIT.refreshDue,
  "login-expiring": EXIT.loginExpiring,
  expired: EXIT.expired,
  missing: EXIT.missing,
  invalid: EXIT.invalid,
} as const;
export type Status = keyof typeof STATUS_EXIT;
export type Action = "none" | "refresh" | "login";

export interface Clocks {
  /** The access token's `expiresAt` (ms), null when unknown. */
  accessExpiresAt: number | null;
  /** `refreshTokenExpiresAt` (ms) when present. */
  refreshExpiresAt: number | null;
  /** A refresh token exists and has not been answered `invalid_grant`. */
  refreshable: boolean;
}

export interface Limits {
  /** Seconds. */
  threshold: number;
  /** Seconds. */
  refreshMargin: number;
}

export interface Verdict {
  status: Status;
  action: Action;
  /** When a person must log in again (ms), null when unknown. */
  loginExpiresAt: number | null;
}

/** Whole seconds from `now` to `at` (ms), never rounded up; null when `at` is unknown. */
export const secondsLeft = (at: number | null, now: number): number | null => (at === null ? null : Math.floor((at - now) / 1000));

/** When a refresh becomes due (ms): the margin before the access token expires. */
export const refreshDueAt = (accessExpiresAt: number, limits: Pick<Limits, "refreshMargin">): number => accessExpiresAt - limits.refreshMargin * 1000;

/** When a person starts being warned (ms): the threshold before the login ends. */
export const loginWarnAt = (loginExpiresAt: number, limits: Pick<Limits, "threshold">): number => loginExpiresAt - limits.threshold * 1000;

/**
 * The two clocks of CONTRACT §3. Access clock: with a refresh token, a refresh
 * is due inside the margin. Login clock: the refresh token's end, or for a
 * credential that cannot be refreshed, the access token's own end.
 */
export function judge(clocks: Clocks, now: number, limits: Limits): Verdict {
  const loginExpiresAt = clocks.refreshable ? clocks.refreshExpiresAt : clocks.accessExpiresAt;
  // A passed refreshTokenExpiresAt is Claude Code's estimate: only Anthropic's refusal ends a login
  // that still has a refresh token, so it stays `login-expiring` and a due refresh is still tried.
  if (loginExpiresAt !== null && loginExpiresAt <= now && !clocks.refreshable) return { status: "expired", action: "login", loginExpiresAt };
  if (clocks.refreshable && clocks.accessExpiresAt !== null && now > refreshDueAt(clocks.accessExpiresAt, limits)) {
    return { status: "refresh-due", action: "refresh", loginExpiresAt };
  }
  if (loginExpiresAt !== null && now > loginWarnAt(loginExpiresAt, limits)) {
    return { status: "login-expiring", action: "login", loginExpiresAt };
  }
  return { status: "valid", action: "none", loginExpiresAt };
}
