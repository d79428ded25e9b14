import * as z from "zod/mini";
import { PRINTABLE_TOKEN } from "../base/secrets.ts";

/*
 * The token endpoint's side of a grant: what a request and a result are, how a failure is classed,
 * and how an answer is read (each field bounded on its own). grant.ts sends and retries.
 */

/** What one refresh grant sends (CONTRACT §4). */
export interface GrantRequest {
  tokenUrl: string;
  clientId: string;
  refreshToken: string;
  scopes: string[];
  userAgent: string;
}

/** The new pair, ready for `withNewTokens`; `refreshToken` is the old one when none came back. */
export interface GrantResult {
  /** Null when the answer's access token was unusable: the old one is kept, already expired. */
  accessToken: string | null;
  refreshToken: string;
  expiresAt: number;
  scopes: string[];
  /** What in the answer was absurd and how it was bounded, to be said once; empty for a sound answer. */
  repairs: string[];
  /** now + `refresh_token_expires_in` when the answer carried it. */
  refreshTokenExpiresAt?: number;
}

/**
 * How a grant failed. `invalid-grant`, `rejected`, `redirected` and `bad-answer`
 * are final; `transient` (network, timeout, 5xx, 429) and `out-of-files` (no
 * descriptor left for the request, so nothing was sent) may be retried with the same token.
 */
export type GrantFailureKind = "invalid-grant" | "invalid-scope" | "rejected" | "redirected" | "bad-answer" | "transient" | "out-of-files";

/** The failures a run may try again with the same token. */
export const RETRIED: readonly GrantFailureKind[] = ["transient", "out-of-files"];

export class GrantError extends Error {
  override readonly name = "GrantError";
  constructor(
    readonly kind: GrantFailureKind,
    /** A short reason safe to show: an HTTP status, an OAuth error code, never a body. */
    readonly reason: string,
    /** For a 429 or 503: how long the server asked us to wait. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(reason);
  }
}

/** Each field is judged on its own: one absurd field must not cost a refresh token the server already rotated. */
const TokenAnswer = z.looseObject({
  access_token: z.optional(z.unknown()),
  refresh_token: z.optional(z.unknown()),
  expires_in: z.optional(z.unknown()),
  scope: z.optional(z.unknown()),
  refresh_token_expires_in: z.optional(z.unknown()),
});

/** Far beyond any real access token (they are about 100 characters); the write is proven for this much. */
const MAX_TOKEN_LENGTH = 4096;
const MAX_SCOPE_LENGTH = 1024;
/** An access token's lifetime is bounded to this: Claude Code's are 8 h. */
const MIN_EXPIRES_S = 60;
const MAX_EXPIRES_S = 86_400;

const ErrorAnswer = z.looseObject({ error: z.string() });

/** A server asking for a longer pause than this is not waited for inside one run. */
const RETRY_AFTER_CAP_MS = 30_000;

/** `Retry-After-Ms`, else `Retry-After` as seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") !== null && Number.isFinite(ms) && ms >= 0) return Math.min(ms, RETRY_AFTER_CAP_MS);
  const value = headers.get("retry-after");
  if (value === null) return null;
  const seconds = Number(value);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(wait) ? Math.min(Math.max(wait, 0), RETRY_AFTER_CAP_MS) : null;
}

/** Only a bare OAuth error code is kept from an error body: descriptions may echo what was sent. */
function errorCode(body: string): string | null {
  try {
    const parsed = ErrorAnswer.safeParse(JSON.parse(body));
    return parsed.success && /^[a-z_]{1,40}$/.test(parsed.data.error) ? parsed.data.error : null;
  } catch {
    return null;
  }
}

export function classifyStatus(status: number, body: string, headers: Headers): GrantError {
  const code = errorCode(body);
  const reason = code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
  if (code === "invalid_grant") return new GrantError("invalid-grant", reason);
  // Claude Code asks again with the credential's own scopes; iclaude asked with them already.
  if (code === "invalid_scope") return new GrantError("invalid-scope", reason);
  if (status === 408 || status === 429 || status >= 500) return new GrantError("transient", reason, retryAfterMs(headers));
  return new GrantError("rejected", reason);
}

const isToken = (value: unknown): value is string => typeof value === "string" && value.length <= MAX_TOKEN_LENGTH && PRINTABLE_TOKEN.test(value);

/** The lifetime in seconds, bounded; a note when the answer's value was absurd. */
function lifetime(value: unknown): { seconds: number; repair: string | null } {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return { seconds: MIN_EXPIRES_S, repair: "no usable expires_in, so the access token is taken to last 1 minute" };
  }
  const seconds = Math.min(Math.max(value, MIN_EXPIRES_S), MAX_EXPIRES_S);
  return { seconds, repair: seconds === value ? null : `expires_in ${value} s, bounded to ${seconds === MAX_EXPIRES_S ? "24 h" : "1 minute"}` };
}

/** A login lasts at most a year (a long-lived token's life); twice that is past any sound answer. */
const MAX_LOGIN_S = 2 * 366 * 86_400;

/** now + `refresh_token_expires_in` when the answer carries a sound one; the engine keeps the earlier of it and the old end. */
function loginEnd(value: unknown, now: number, repairs: string[]): { refreshTokenExpiresAt?: number } {
  if (value === undefined || value === null) return {};
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_LOGIN_S) {
    repairs.push("a refresh_token_expires_in that is not a lifetime, so the login's end was left as it was");
    return {};
  }
  return { refreshTokenExpiresAt: now + value * 1000 };
}

/**
 * A stand-in for the largest pair an answer is expected to produce: the
 * credentials write is rendered and reserved with it before the send.
 */
export const LARGEST_RESULT: GrantResult = {
  accessToken: "x".repeat(MAX_TOKEN_LENGTH),
  refreshToken: "x".repeat(MAX_TOKEN_LENGTH),
  expiresAt: 9_999_999_999_999,
  refreshTokenExpiresAt: 9_999_999_999_999,
  scopes: Array.from({ length: MAX_SCOPE_LENGTH / 2 }, () => "x"),
  repairs: [],
};

export function parseAnswer(body: string, request: GrantRequest, now: number): GrantResult {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new GrantError("bad-answer", "the answer is not JSON");
  }
  const parsed = TokenAnswer.safeParse(data);
  if (!parsed.success) throw new GrantError("bad-answer", "the answer is not a JSON object");
  const answer = parsed.data;
  // A rotated refresh token is only ever sent back to the server, never shown: any string is kept.
  const rotated = typeof answer.refresh_token === "string" && answer.refresh_token.length > 0 ? answer.refresh_token : null;
  const access = isToken(answer.access_token) ? answer.access_token : null;
  if (access === null && rotated === null) throw new GrantError("bad-answer", "the answer has no usable access_token");
  const repairs: string[] = [];
  const life = lifetime(answer.expires_in);
  if (access === null) repairs.push("an access_token that is not a token, so the old one is kept and the next run refreshes again");
  else if (life.repair) repairs.push(life.repair);
  let scopes = request.scopes;
  if (
    typeof answer.scope === "string" &&
    answer.scope.length <= MAX_SCOPE_LENGTH &&
    answer.scope.split(" ").every((s) => s === "" || PRINTABLE_TOKEN.test(s))
  ) {
    const split = answer.scope.split(" ").filter(Boolean);
    if (split.length) scopes = split;
  } else if (answer.scope !== undefined) {
    repairs.push("a scope that is not a list of scopes, so the old scopes are kept");
  }
  return {
    accessToken: access,
    refreshToken: rotated ?? request.refreshToken,
    expiresAt: access === null ? now : now + life.seconds * 1000,
    scopes,
    repairs,
    ...loginEnd(answer.refresh_token_expires_in, now, repairs),
  };
}
