import { closeSync, openSync } from "node:fs";
import { FetchError, ofetch } from "ofetch";
import * as z from "zod/mini";
import { describeFsError, isOutOfFiles } from "../base/errors.ts";
import { backoff } from "../base/proc.ts";
import { PRINTABLE_TOKEN } from "../base/secrets.ts";

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

const RETRIED: readonly GrantFailureKind[] = ["transient", "out-of-files"];

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

/** The headers Claude Code's axios sends to the token endpoint (read off 2.1.332's requests), User-Agent aside. */
const CLAUDE_HEADERS = {
  accept: "application/json, text/plain, */*",
  "accept-encoding": "gzip, compress, deflate, br",
  "content-type": "application/json",
  connection: "close",
};
const REQUEST_TIMEOUT_MS = 30_000;
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

function classifyStatus(status: number, body: string, headers: Headers): GrantError {
  const code = errorCode(body);
  const reason = code ? `HTTP ${status} ${code}` : `HTTP ${status}`;
  if (code === "invalid_grant") return new GrantError("invalid-grant", reason);
  // Claude Code asks again with the credential's own scopes; iclaude asked with them already.
  if (code === "invalid_scope") return new GrantError("invalid-scope", reason);
  if (status === 408 || status === 429 || status >= 500) return new GrantError("transient", reason, retryAfterMs(headers));
  return new GrantError("rejected", reason);
}

const isToken = (value: unknown): value is string =>
  typeof value === "string" && value.length <= MAX_TOKEN_LENGTH && PRINTABLE_TOKEN.test(value);

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

function parseAnswer(body: string, request: GrantRequest, now: number): GrantResult {
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
  if (typeof answer.scope === "string" && answer.scope.length <= MAX_SCOPE_LENGTH && answer.scope.split(" ").every((s) => s === "" || PRINTABLE_TOKEN.test(s))) {
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

/** Descriptors proven free before a send: Bun's HTTP client (its thread's event loop, the socket) needs a few. */
const SPARE_FILES = 4;

/**
 * With no descriptor to spare, Bun's HTTP client ends the whole process instead
 * of failing the request — with Claude Code's locks held. Proven first, so
 * that is a failure like any other, before anything is sent.
 */
function assertFilesToSpare(): void {
  const opened: number[] = [];
  try {
    for (let i = 0; i < SPARE_FILES; i++) opened.push(openSync("/dev/null", "r"));
  } catch (error) {
    if (isOutOfFiles(error)) throw new GrantError("out-of-files", describeFsError(error));
    throw error;
  } finally {
    for (const fd of opened) closeSync(fd);
  }
}

/** Sends the grant once; throws GrantError classifying every way it can fail. */
export async function requestGrant(request: GrantRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<GrantResult> {
  let response: Response;
  let body: string;
  assertFilesToSpare();
  try {
    const raw = await ofetch.raw<string, "text">(request.tokenUrl, {
      method: "POST",
      body: {
        grant_type: "refresh_token",
        refresh_token: request.refreshToken,
        client_id: request.clientId,
        scope: request.scopes.join(" "),
      },
      headers: { ...CLAUDE_HEADERS, "user-agent": request.userAgent },
      timeout: Math.min(timeoutMs, REQUEST_TIMEOUT_MS),
      retry: false,
      ignoreResponseError: true,
      // A redirect would carry the refresh token to another address: never followed, whatever the code.
      redirect: "manual",
      responseType: "text",
    });
    response = raw;
    body = raw._data ?? "";
  } catch (error) {
    const cause = error instanceof FetchError ? (error.cause ?? error) : error;
    if (isOutOfFiles(cause)) throw new GrantError("out-of-files", describeFsError(cause));
    const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
    throw new GrantError("transient", timedOut ? "no answer in time" : "the token endpoint could not be reached");
  }
  if (response.status >= 300 && response.status < 400) throw new GrantError("redirected", `HTTP ${response.status}`);
  if (!response.ok) throw classifyStatus(response.status, body, response.headers);
  return parseAnswer(body, request, Date.now());
}

/** What a grant is doing, for ICLAUDE_DEBUG and a terminal's "still waiting" line; never a token. */
export type GrantEvent =
  /** One of Claude Code's locks was held at the first try: someone else is refreshing or writing; this run waits up to `waitMs`. */
  | { kind: "lock-held"; lock: "refresh" | "storage"; waitMs: number }
  | { kind: "send"; attempt: number; url: string }
  | { kind: "answered"; attempt: number }
  /** `waitMs` before the next attempt, or null when this failure ends the run. */
  | { kind: "failed"; attempt: number; reason: string; waitMs: number | null };

export interface RetryPolicy {
  /** The overall budget for all attempts and waits, in ms. */
  deadlineMs: number;
  onEvent?: (event: GrantEvent) => void;
  maxAttempts?: number;
  /** First backoff step, doubled per attempt with full jitter. */
  baseDelayMs?: number;
}


/**
 * The grant with bounded, jittered retries for transient failures only. A
 * final failure is thrown at once: `invalid_grant` is never resent.
 */
export async function grantWithRetries(request: GrantRequest, policy: RetryPolicy): Promise<{ result: GrantResult; attempts: number }> {
  const end = Date.now() + policy.deadlineMs;
  const maxAttempts = policy.maxAttempts ?? 4;
  const base = policy.baseDelayMs ?? 500;
  const tell = policy.onEvent ?? (() => {});
  for (let attempt = 1; ; attempt++) {
    try {
      tell({ kind: "send", attempt, url: request.tokenUrl });
      // A request in flight is never cut short by the budget: if the server has already rotated the
      // pair, aborting would lose the new one. The budget only decides whether to try again.
      const result = await requestGrant(request);
      tell({ kind: "answered", attempt });
      return { result, attempts: attempt };
    } catch (error) {
      const reason = error instanceof GrantError ? error.reason : "unexpected error";
      const final = !(error instanceof GrantError) || !RETRIED.includes(error.kind) || attempt >= maxAttempts;
      const wait = final ? 0 : Math.max(error.retryAfterMs ?? 0, Math.random() * Math.min(base * 2 ** (attempt - 1), 8_000));
      if (final || Date.now() + wait >= end) {
        tell({ kind: "failed", attempt, reason, waitMs: null });
        throw withAttempts(error, attempt);
      }
      tell({ kind: "failed", attempt, reason, waitMs: wait });
      await backoff(wait);
    }
  }
}

/** A transient failure that ends the run says how many attempts were made. */
function withAttempts(error: unknown, attempts: number): unknown {
  if (!(error instanceof GrantError) || error.kind !== "transient") return error;
  return new GrantError("transient", `${error.reason} after ${attempts} attempt${attempts === 1 ? "" : "s"}`, error.retryAfterMs);
}
