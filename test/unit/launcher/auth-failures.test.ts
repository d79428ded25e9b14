import { describe, expect, test } from "bun:test";
import { AUTH_FAILURES, isAuthFailure } from "../../../src/launcher/auth-failures.ts";
import { StdoutGate } from "../../../src/launcher/stdout-gate.ts";

/** What the real claude 2.1.197 printed on stdout, run against the loopback mock (`-p hi`). */
const REAL = {
  expired: "Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.",
  bearer: "Failed to authenticate. API Error: 401 Invalid bearer token",
  revokedPrint: "Your account does not have access to Claude. Please login again or contact your administrator.",
  notLoggedIn: "Not logged in · Please run /login",
  retry401:
    '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":539.7,"error_status":401,"error":"authentication_failed","session_id":"s","uuid":"u"}',
  result401:
    '{"type":"result","subtype":"success","is_error":true,"api_error_status":401,"num_turns":1,"result":"Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.","session_id":"s"}',
  init: '{"type":"system","subtype":"init","cwd":"/tmp/h","session_id":"s","tools":["Bash"],"model":"claude-opus-4-8"}',
  status: '{"type":"system","subtype":"status","status":"requesting","uuid":"u","session_id":"s"}',
};

/** What the real claude 2.1.332 printed, run against the mock: its refresh answered invalid_grant, then with "Refresh token expired". */
const REAL_332 = {
  refreshFailed: "Failed to authenticate: OAuth session expired and could not be refreshed",
  timeLimit:
    "Failed to authenticate: this login reached its time limit and cannot be renewed. Run `claude auth login` to sign in again, or use `claude setup-token` and set CLAUDE_CODE_OAUTH_TOKEN for unattended jobs",
  result401:
    '{"is_error":true,"num_turns":1,"subtype":"success","api_error_status":401,"api_error_type":"authentication_error","result":"Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.","type":"result"}',
  resultRefreshFailed:
    '{"is_error":true,"num_turns":1,"subtype":"success","api_error_status":null,"result":"Failed to authenticate: OAuth session expired and could not be refreshed","type":"result"}',
};

/** Messages from the same claude and API in one line each: what is absent from the table on purpose. */
const NOT_AUTH = {
  rateLimit:
    "API Error: Server is temporarily limiting requests (not your usage limit) · This request would exceed your account's rate limit. Please try again later.",
  usageLimit: "Claude AI usage limit reached|1767225600",
  retry429: '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","isUsingOverage":false},"uuid":"u","session_id":"s"}',
  result429:
    '{"type":"result","subtype":"success","is_error":true,"api_error_status":429,"result":"API Error: Server is temporarily limiting requests (not your usage limit)","session_id":"s"}',
  overloaded:
    '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":503.8,"error_status":529,"error":"overloaded","session_id":"s","uuid":"u"}',
  serverError: "API Error: 500 Internal server error. This is a server-side issue, usually temporary — try again in a moment.",
  network:
    '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":617.1,"error_status":null,"error":"unknown","session_id":"s","uuid":"u"}',
  connection: "API Error: Connection error.",
  timeout: "API Error: Request timed out.",
  temporary: "Authentication error · This may be a temporary network issue, please try again",
  answer: "Hello from the mock.",
  badFlag: "error: unknown option '--no-such-flag'",
};

/**
 * A pattern's source with every character class and every escape but `\.` and `\/` made a NUL, and
 * those two unescaped: what is left are the characters a match holds as written (the bundler writes
 * a non-ASCII letter as `\u00B7`, itself an escape here).
 */
const plainRuns = (source: string): string =>
  source.replace(/\[(?:\\.|[^\]\\])*\]|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\([./])|\\./g, (_, kept: string | undefined) => kept ?? "\0");

describe("the auth-failure table", () => {
  const samples: Record<string, string> = {
    "print-mode 401/403": REAL.expired,
    "interactive 401/403": "Please run /login · API Error: 401 OAuth token has expired.",
    "expired OAuth token (API)": '{"type":"error","error":{"type":"x","message":"OAuth token has expired. Please obtain a new token"}}',
    "revoked OAuth token (API)": "API Error: 403 OAuth token has been revoked. Please obtain a new token.",
    "revoked OAuth token (interactive)": "OAuth token revoked · Please run /login",
    "revoked OAuth token (print mode)": REAL.revokedPrint,
    "invalid bearer token (API)": "API Error: Invalid bearer token",
    "authentication_error (API error type)": 'API Error: {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
    "authentication_failed (stream-json)": REAL.retry401,
    "not logged in": REAL.notLoggedIn,
    "refresh failed (2.1.332 print mode)": REAL_332.refreshFailed,
    "login time limit (2.1.332 print mode)": REAL_332.timeLimit,
    "revoked OAuth token (2.1.332 print mode)": "Failed to authenticate: OAuth token revoked. Please log in again or contact your administrator.",
    "login expired (2.1.332 interactive)": "Login expired · Please run /login",
    "login time limit (2.1.332 interactive)": "Login reached its time limit · Please run /login",
  };

  for (const { name, needle, pattern } of AUTH_FAILURES) {
    test(`matches ${name}`, () => {
      const sample = samples[name];
      expect(sample).toBeDefined();
      expect(pattern.test(sample as string)).toBe(true);
      expect(isAuthFailure(sample as string)).toBe(true);
    });

    test(`${name}: every match holds the needle, a plain run of the pattern`, () => {
      // A pattern of one sequence (no flag, no alternative, no quantifier, no group) whose plain
      // characters spell the needle out matches only text that contains it.
      const plain = plainRuns(pattern.source);
      expect(pattern.flags).toBe("");
      expect(plain).not.toMatch(/[|?*+{}()]/);
      expect(needle).toMatch(/^[\x20-\x7e]+$/);
      expect(plain).toContain(needle);
    });
  }

  test("matches every message the real claude printed for a refused login", () => {
    for (const line of [REAL.expired, REAL.bearer, REAL.revokedPrint, REAL.notLoggedIn, REAL.retry401, REAL.result401, ...Object.values(REAL_332)]) {
      expect(isAuthFailure(line)).toBe(true);
    }
  });

  test("never matches rate limits, overloads, server or network errors, answers or bad flags", () => {
    for (const [name, line] of Object.entries(NOT_AUTH)) expect([name, isAuthFailure(line)]).toEqual([name, false]);
  });
});

async function gateOf(chunks: string[]): Promise<{ gate: StdoutGate; written: string }> {
  let written = "";
  const gate = new StdoutGate(async (chunk) => {
    written += new TextDecoder().decode(chunk);
  });
  for (const chunk of chunks) await gate.push(new TextEncoder().encode(chunk));
  return {
    gate,
    get written() {
      return written;
    },
  };
}

describe("StdoutGate", () => {
  test("holds a plain-text auth failure and reports it", async () => {
    const run = await gateOf([`${REAL.expired}\n`]);
    expect(run.written).toBe("");
    expect(run.gate.heldAuthFailure()).toBe(true);
  });

  test("holds stream-json's preamble and auth lines, and reports them", async () => {
    const run = await gateOf([`${REAL.init}\n`, `${REAL.retry401}\n${REAL.retry401}\n`, `${REAL.result401}\n`]);
    expect(run.written).toBe("");
    expect(run.gate.heldAuthFailure()).toBe(true);
  });

  test("a preamble alone is no auth failure", async () => {
    const run = await gateOf([`${REAL.init}\n`, `${REAL.status}\n`]);
    expect(run.gate.heldAuthFailure()).toBe(false);
  });

  test("lets a good answer through at once, the held preamble first, byte for byte", async () => {
    const answer = '{"type":"stream_event","event":{"type":"content_block_delta"}}\n';
    const run = await gateOf([`${REAL.init}\n`, answer.slice(0, 20), answer.slice(20)]);
    expect(run.written).toBe(`${REAL.init}\n${answer}`);
    const more = '{"type":"assistant"}\n';
    await run.gate.push(new TextEncoder().encode(more.slice(0, 5)));
    expect(run.written).toBe(`${REAL.init}\n${answer}${more.slice(0, 5)}`);
    expect(run.gate.heldAuthFailure()).toBe(false);
  });

  test("once output has passed, a later auth failure is not retried", async () => {
    const run = await gateOf([`${NOT_AUTH.answer}\n`, `${REAL.expired}\n`]);
    expect(run.written).toBe(`${NOT_AUTH.answer}\n${REAL.expired}\n`);
    expect(run.gate.heldAuthFailure()).toBe(false);
  });

  test("a rate limit passes through: it is not held, so it is never retried", async () => {
    const run = await gateOf([`${REAL.init}\n`, `${NOT_AUTH.overloaded}\n`]);
    expect(run.written).toBe(`${REAL.init}\n${NOT_AUTH.overloaded}\n`);
    expect(run.gate.heldAuthFailure()).toBe(false);
  });

  test("release writes what was held, split across chunks, exactly", async () => {
    const run = await gateOf([REAL.expired.slice(0, 10), REAL.expired.slice(10)]);
    expect(run.written).toBe("");
    expect(run.gate.heldAuthFailure()).toBe(true);
    await run.gate.release();
    expect(run.written).toBe(REAL.expired);
  });
});
