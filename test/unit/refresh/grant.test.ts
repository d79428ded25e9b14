import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { CLAUDE } from "../../../src/credentials/claude.ts";
import { GrantError, grantWithRetries, requestGrant, retryAfterMs } from "../../../src/refresh/grant.ts";
import { CLAUDE_CODE_CLIENT_ID, type MockAnthropic, startMockAnthropic } from "../../fixtures/mock-anthropic.ts";

const SCOPES = ["user:inference", "user:profile", "user:sessions:claude_code"];
let mock: MockAnthropic;
const mocks: MockAnthropic[] = [];

function fresh(options: Parameters<typeof startMockAnthropic>[0] = {}): MockAnthropic {
  const m = startMockAnthropic(options);
  mocks.push(m);
  return m;
}

beforeEach(() => {
  mock = fresh();
});
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.stop()));
});

const request = (refreshToken: string, m = mock) => ({
  tokenUrl: m.tokenUrl,
  clientId: CLAUDE_CODE_CLIENT_ID,
  refreshToken,
  scopes: SCOPES,
  userAgent: CLAUDE.userAgent,
});

async function failure(promise: Promise<unknown>): Promise<GrantError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrantError);
  return error as GrantError;
}

describe("requestGrant", () => {
  test("sends exactly the contract's JSON body with the headers Claude Code 2.1.332 sends", async () => {
    const { refreshToken } = mock.issuePair();
    await requestGrant(request(refreshToken));
    const sent = mock.requests[0];
    expect(sent?.method).toBe("POST");
    expect(sent?.body).toEqual({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: CLAUDE_CODE_CLIENT_ID, scope: SCOPES.join(" ") });
    expect(Object.keys(sent?.body ?? {})).toEqual(["grant_type", "refresh_token", "client_id", "scope"]);
    expect(sent?.headers).toMatchObject({
      accept: "application/json, text/plain, */*",
      "accept-encoding": "gzip, compress, deflate, br",
      "content-type": "application/json",
      "user-agent": "axios/1.15.2",
    });
  });

  test("keeps refresh_token_expires_in as the login's new end, and classifies invalid_scope apart", async () => {
    const { refreshToken } = mock.issuePair();
    mock.script({ json: { access_token: "sk-ant-oat01-x", expires_in: 60, refresh_token_expires_in: 3600, scope: "user:inference" } });
    const before = Date.now();
    const result = await requestGrant(request(refreshToken));
    expect(result.refreshTokenExpiresAt).toBeGreaterThanOrEqual(before + 3600_000);
    mock.script({ status: 400, json: { error: "invalid_scope" } });
    expect((await failure(requestGrant(request(refreshToken)))).kind).toBe("invalid-scope");
  });

  test("computes expiresAt from expires_in, splits scope, takes the rotated refresh token", async () => {
    const { refreshToken } = mock.issuePair();
    const before = Date.now();
    const result = await requestGrant(request(refreshToken));
    expect(result.expiresAt).toBeGreaterThanOrEqual(before + 28800_000);
    expect(result.expiresAt).toBeLessThanOrEqual(Date.now() + 28800_000);
    expect(result.scopes).toEqual(SCOPES);
    expect(result.refreshToken).not.toBe(refreshToken);
    expect(mock.isAccessValid(result.accessToken ?? "")).toBe(true);
    expect(result.repairs).toEqual([]);
  });

  test("keeps the old refresh token when the answer carries none", async () => {
    const m = fresh({ omitRefreshToken: true });
    const { refreshToken } = m.issuePair();
    expect((await requestGrant(request(refreshToken, m))).refreshToken).toBe(refreshToken);
  });

  test("invalid_grant is final and says so without echoing the body", async () => {
    const error = await failure(requestGrant(request("sk-ant-ort01-unknownunknownunknownunknown")));
    expect(error.kind).toBe("invalid-grant");
    expect(error.reason).toBe("HTTP 400 invalid_grant");
  });

  test("another 4xx is rejected, a 5xx or 429 is transient with its Retry-After", async () => {
    mock.script(
      { status: 401, json: { error: "invalid_client" } },
      { status: 503, headers: { "retry-after": "2" } },
      { status: 429, headers: { "retry-after-ms": "150" } },
    );
    const { refreshToken } = mock.issuePair();
    expect((await failure(requestGrant(request(refreshToken)))).kind).toBe("rejected");
    const unavailable = await failure(requestGrant(request(refreshToken)));
    expect([unavailable.kind, unavailable.retryAfterMs]).toEqual(["transient", 2000]);
    const limited = await failure(requestGrant(request(refreshToken)));
    expect([limited.kind, limited.retryAfterMs]).toEqual(["transient", 150]);
  });

  test("a 200 that is not a token answer is a bad answer", async () => {
    mock.script(
      { status: 200, body: "<html>maintenance</html>" },
      { status: 200, json: { token_type: "Bearer" } },
      { status: 200, json: { access_token: "a\u001b]0;x\u0007", expires_in: 60 } },
    );
    const { refreshToken } = mock.issuePair();
    for (let i = 0; i < 3; i++) expect((await failure(requestGrant(request(refreshToken)))).kind).toBe("bad-answer");
  });

  test("a dropped connection and a slow answer are transient", async () => {
    mock.script({ close: true }, { delayMs: 3000 });
    const { refreshToken } = mock.issuePair();
    expect((await failure(requestGrant(request(refreshToken)))).kind).toBe("transient");
    const slow = await failure(requestGrant(request(refreshToken), 200));
    expect([slow.kind, slow.reason]).toEqual(["transient", "no answer in time"]);
  });

  test("an unreachable endpoint is transient", async () => {
    const error = await failure(requestGrant({ ...request("sk-ant-ort01-x"), tokenUrl: "http://127.0.0.1:1/v1/oauth/token" }));
    expect(error.kind).toBe("transient");
  });
});

describe("grantWithRetries", () => {
  test("retries transient failures with the same token and succeeds", async () => {
    mock.script({ status: 502 }, { close: true }, { status: 429, headers: { "retry-after-ms": "20" } });
    const { refreshToken } = mock.issuePair();
    const { attempts } = await grantWithRetries(request(refreshToken), { deadlineMs: 20_000, baseDelayMs: 10 });
    expect(attempts).toBe(4);
    expect(mock.requests.map((r) => r.body?.refresh_token)).toEqual([refreshToken, refreshToken, refreshToken, refreshToken]);
    expect(mock.redeemed).toEqual([refreshToken]);
  });

  test("never resends a token answered invalid_grant", async () => {
    const { refreshToken } = mock.issuePair();
    mock.killRefresh(refreshToken);
    expect((await failure(grantWithRetries(request(refreshToken), { deadlineMs: 20_000, baseDelayMs: 10 }))).kind).toBe("invalid-grant");
    expect(mock.requests.length).toBe(1);
  });

  test("gives up after the attempt limit, saying how many were made", async () => {
    mock.script(...Array.from({ length: 6 }, () => ({ status: 500 })));
    const { refreshToken } = mock.issuePair();
    const error = await failure(grantWithRetries(request(refreshToken), { deadlineMs: 20_000, baseDelayMs: 5, maxAttempts: 3 }));
    expect([error.kind, error.reason]).toEqual(["transient", "HTTP 500 after 3 attempts"]);
    expect(mock.requests.length).toBe(3);
  });

  test("never cuts a request in flight short: the budget only limits new attempts", async () => {
    mock.script({ delayMs: 1500 });
    const { refreshToken } = mock.issuePair();
    const { attempts } = await grantWithRetries(request(refreshToken), { deadlineMs: 200 });
    expect(attempts).toBe(1);
    expect(mock.redeemed).toEqual([refreshToken]);
  });

  test("does not wait past its deadline for a long Retry-After", async () => {
    mock.script({ status: 429, headers: { "retry-after": "25" } });
    const { refreshToken } = mock.issuePair();
    const error = await failure(grantWithRetries(request(refreshToken), { deadlineMs: 1000 }));
    expect(error.reason).toBe("HTTP 429 after 1 attempt");
    expect(mock.requests.length).toBe(1);
  });
});

describe("retryAfterMs", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  test("reads seconds, HTTP dates and Retry-After-Ms, capped at 30 s", () => {
    expect(retryAfterMs(h({ "retry-after": "3" }))).toBe(3000);
    expect(retryAfterMs(h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(retryAfterMs(h({ "retry-after": "3600" }))).toBe(30_000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(h({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(h({ "retry-after": "soon" }))).toBeNull();
    expect(retryAfterMs(h({}))).toBeNull();
  });
});
