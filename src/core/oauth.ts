import { FetchError, ofetch } from "ofetch";
import { z } from "zod";
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
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  scopes: string[];
  /** now + `refresh_token_expires_in` when the answer carried it. */
  refreshTokenExpiresAt?: number;
}

/**
 * How a grant failed. `invalid-grant`, `rejected` and `bad-answer` are final;
 * `transient` (network, timeout, 5xx, 429) may be retried with the same token.
 */
export type GrantFailureKind = "invalid-grant" | "invalid-scope" | "rejected" | "bad-answer" | "transient";

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

const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive().finite(),
  scope: z.string().optional(),
  refresh_token_expires_in: z.number().positive().finite().optional(),
});

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

function parseAnswer(body: string, request: GrantRequest, now: number): GrantResult {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new GrantError("bad-answer", "the answer is not JSON");
  }
  const parsed = TokenAnswer.safeParse(data);
  if (!parsed.success) throw new GrantError("bad-answer", `the answer has no usable ${parsed.error.issues[0]?.path.join(".") || "token"}`);
  const answer = parsed.data;
  const scopes = answer.scope?.split(" ").filter(Boolean);
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? request.refreshToken,
    expiresAt: now + answer.expires_in * 1000,
    scopes: scopes?.length ? scopes : request.scopes,
    ...(answer.refresh_token_expires_in === undefined ? {} : { refreshTokenExpiresAt: now + answer.refresh_token_expires_in * 1000 }),
  };
}

/** Sends the grant once; throws GrantError classifying every way it can fail. */
export async function requestGrant(request: GrantRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<GrantResult> {
  let response: Response;
  let body: string;
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
      responseType: "text",
    });
    response = raw;
    body = raw._data ?? "";
  } catch (error) {
    const cause = error instanceof FetchError ? (error.cause ?? error) : error;
    const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
    throw new GrantError("transient", timedOut ? "no answer in time" : "the token endpoint could not be reached");
  }
  if (!response.ok) throw classifyStatus(response.status, body, response.headers);
  return parseAnswer(body, request, Date.now());
}

export interface RetryPolicy {
  /** The overall budget for all attempts and waits, in ms. */
  deadlineMs: number;
  maxAttempts?: number;
  /** First backoff step, doubled per attempt with full jitter. */
  baseDelayMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The grant with bounded, jittered retries for transient failures only. A
 * final failure is thrown at once: `invalid_grant` is never resent.
 */
export async function grantWithRetries(request: GrantRequest, policy: RetryPolicy): Promise<{ result: GrantResult; attempts: number }> {
  const end = Date.now() + policy.deadlineMs;
  const maxAttempts = policy.maxAttempts ?? 4;
  const base = policy.baseDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      // A request in flight is never cut short by the budget: if the server has already rotated the
      // pair, aborting would lose the new one. The budget only decides whether to try again.
      return { result: await requestGrant(request), attempts: attempt };
    } catch (error) {
      if (!(error instanceof GrantError) || error.kind !== "transient" || attempt >= maxAttempts) throw withAttempts(error, attempt);
      const backoff = Math.random() * Math.min(base * 2 ** (attempt - 1), 8_000);
      const wait = Math.max(error.retryAfterMs ?? 0, backoff);
      if (Date.now() + wait >= end) throw withAttempts(error, attempt);
      await sleep(wait);
    }
  }
}

/** A transient failure that ends the run says how many attempts were made. */
function withAttempts(error: unknown, attempts: number): unknown {
  if (!(error instanceof GrantError) || error.kind !== "transient") return error;
  return new GrantError("transient", `${error.reason} after ${attempts} attempt${attempts === 1 ? "" : "s"}`, error.retryAfterMs);
}
