import { closeSync, openSync } from "node:fs";
import { FetchError, ofetch } from "ofetch";
import { describeFsError, isOutOfFiles } from "../base/errors.ts";
import { backoff } from "../base/proc.ts";
import { classifyStatus, GrantError, type GrantRequest, type GrantResult, parseAnswer, RETRIED } from "./grant-answer.ts";

export { GrantError, type GrantFailureKind, type GrantRequest, type GrantResult, LARGEST_RESULT, retryAfterMs } from "./grant-answer.ts";

/** The headers Claude Code's axios sends to the token endpoint (read off 2.1.332's requests), User-Agent aside. */
const CLAUDE_HEADERS = {
  accept: "application/json, text/plain, */*",
  "accept-encoding": "gzip, compress, deflate, br",
  "content-type": "application/json",
  connection: "close",
};
const REQUEST_TIMEOUT_MS = 30_000;
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
