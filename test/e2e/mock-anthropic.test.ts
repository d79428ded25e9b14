import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { CLAUDE_VERSIONS, type ClaudeHome, claudeEnv, interceptAnthropicTls, makeClaudeHome, runClaude } from "../fixtures/claude-home.ts";
import {
  CLAUDE_CODE_CLIENT_ID,
  DEFAULT_SCOPES,
  EXPIRED_TOKEN_MESSAGE,
  MOCK_REPLY_TEXT,
  type MockAnthropic,
  startMockAnthropic,
} from "../fixtures/mock-anthropic.ts";
import { waitFor } from "../helpers.ts";

const AUTH_FAILURE = `Failed to authenticate. API Error: 401 ${EXPIRED_TOKEN_MESSAGE}`;
const SCOPE = DEFAULT_SCOPES.join(" ");

let mock: MockAnthropic;
let home: ClaudeHome | undefined;

beforeEach(() => {
  mock = startMockAnthropic();
});

afterEach(async () => {
  await mock.stop();
  await home?.cleanup();
  home = undefined;
});

function refresh(refreshToken: string, overrides: Record<string, unknown> = {}): Promise<Response> {
  return fetch(mock.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "mock-test" },
    body: JSON.stringify({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: CLAUDE_CODE_CLIENT_ID,
      scope: SCOPE,
      ...overrides,
    }),
  });
}

function ask(accessToken: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${mock.url}/v1/messages?beta=true`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "anthropic-beta": "oauth-2025-04-20" },
    body: JSON.stringify({ model: "claude-test", max_tokens: 16, messages: [], ...body }),
  });
}

interface Grant {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

describe("token endpoint", () => {
  test("issues pairs shaped like real tokens", () => {
    const pair = mock.issuePair();
    expect(pair.accessToken).toMatch(/^sk-ant-oat01-[A-Za-z0-9_-]{86,}AA$/);
    expect(pair.refreshToken).toMatch(/^sk-ant-ort01-[A-Za-z0-9_-]{86,}AA$/);
  });

  test("a refresh token works once, then answers invalid_grant", async () => {
    const pair = mock.issuePair();
    const first = await refresh(pair.refreshToken);
    expect(first.status).toBe(200);
    const grant = (await first.json()) as Grant;
    expect(grant).toMatchObject({ token_type: "Bearer", expires_in: 28800, scope: SCOPE });
    expect(grant.refresh_token).not.toBe(pair.refreshToken);
    expect((await ask(grant.access_token)).status).toBe(200);
    expect((await ask(pair.accessToken)).status).toBe(200);

    const again = await refresh(pair.refreshToken);
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      error: "invalid_grant",
      error_description: "Refresh token not found or invalid",
    });
    expect((await refresh(grant.refresh_token ?? "")).status).toBe(200);
    expect(mock.redeemed).toEqual([pair.refreshToken, grant.refresh_token ?? ""]);
  });

  test("logs every request with its parsed body, user-agent and status", async () => {
    const pair = mock.issuePair();
    await refresh(pair.refreshToken);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]).toMatchObject({
      method: "POST",
      userAgent: "mock-test",
      status: 200,
      body: { grant_type: "refresh_token", refresh_token: pair.refreshToken, client_id: CLAUDE_CODE_CLIENT_ID },
    });
  });

  test("killed and unknown refresh tokens get invalid_grant", async () => {
    const pair = mock.issuePair();
    mock.killRefresh(pair.refreshToken);
    const killed = (await (await refresh(pair.refreshToken)).json()) as { error: string };
    const unknown = (await (await refresh("sk-ant-ort01-nope")).json()) as { error: string };
    expect([killed.error, unknown.error]).toEqual(["invalid_grant", "invalid_grant"]);
    expect(mock.redeemed).toHaveLength(0);
  });

  test("malformed grants get invalid_request and spend nothing", async () => {
    const pair = mock.issuePair();
    const answers = await Promise.all([
      refresh(pair.refreshToken, { grant_type: "authorization_code" }),
      refresh(pair.refreshToken, { client_id: "someone-else" }),
      refresh(pair.refreshToken, { refresh_token: undefined }),
      fetch(mock.tokenUrl, { method: "POST", body: "grant_type=refresh_token" }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toBe("invalid_request");
    }
    expect((await refresh(pair.refreshToken)).status).toBe(200);
  });

  test("options: omitRefreshToken keeps the old refresh token alive, expiresIn and scope override", async () => {
    await mock.stop();
    mock = startMockAnthropic({ omitRefreshToken: true, expiresIn: 60, scope: "user:inference" });
    const pair = mock.issuePair();
    const grant = (await (await refresh(pair.refreshToken)).json()) as Grant;
    expect(grant.refresh_token).toBeUndefined();
    expect(grant).toMatchObject({ expires_in: 60, scope: "user:inference" });
    expect((await refresh(pair.refreshToken)).status).toBe(200);
  });

  test("scripted answers come first, in order, then normal behaviour resumes", async () => {
    const pair = mock.issuePair();
    mock.script(
      { status: 503 },
      { status: 429, headers: { "retry-after": "1" } },
      { status: 200, body: "not json" },
      { status: 400, json: { error: "invalid_grant", error_description: "scripted" } },
      { delayMs: 150 },
    );
    const unavailable = await refresh(pair.refreshToken);
    const limited = await refresh(pair.refreshToken);
    const malformed = await refresh(pair.refreshToken);
    const denied = await refresh(pair.refreshToken);
    const started = performance.now();
    const slow = await refresh(pair.refreshToken);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect([unavailable.status, limited.status, malformed.status, denied.status, slow.status]).toEqual([503, 429, 200, 400, 200]);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await malformed.text()).toBe("not json");
    expect(await denied.json()).toEqual({ error: "invalid_grant", error_description: "scripted" });
    expect(mock.redeemed).toEqual([pair.refreshToken]);
    expect((await refresh(pair.refreshToken)).status).toBe(400);
  });

  test("a scripted close drops the connection without an answer", async () => {
    const pair = mock.issuePair();
    mock.script({ close: true });
    await expect(refresh(pair.refreshToken)).rejects.toThrow();
    expect(mock.requests[0]?.status).toBe(0);
    expect((await refresh(pair.refreshToken)).status).toBe(200);
  });

  test("stop() releases a held response", async () => {
    mock.script({ delayMs: 40_000, status: 503 });
    const pending = refresh("sk-ant-ort01-x").then(
      (r) => r.status,
      () => 0,
    );
    await waitFor(() => mock.requests.length === 1);
    const started = performance.now();
    await mock.stop();
    await pending;
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("Messages API", () => {
  test("a revoked token gets the real API's 401 body", async () => {
    const pair = mock.issuePair();
    mock.revokeAccess(pair.accessToken);
    const answer = await ask(pair.accessToken);
    expect(answer.status).toBe(401);
    const body = (await answer.json()) as { request_id: string };
    expect(body).toMatchObject({
      type: "error",
      error: { type: "authentication_error", message: EXPIRED_TOKEN_MESSAGE },
    });
    expect(body.request_id).toMatch(/^req_/);
    expect((await ask("sk-ant-oat01-unknown")).status).toBe(401);
  });

  test("answers plain JSON, or the real SSE event sequence when streaming", async () => {
    const { accessToken } = mock.issuePair();
    const plain = (await (await ask(accessToken)).json()) as { content: { text: string }[] };
    expect(plain.content[0]?.text).toBe(MOCK_REPLY_TEXT);

    const streamed = await (await ask(accessToken, { stream: true })).text();
    const events = [...streamed.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.filter((e) => e !== "content_block_delta" && e !== "ping")).toEqual([
      "message_start",
      "content_block_start",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const text = [...streamed.matchAll(/"text_delta","text":"([^"]*)"/g)].map((m) => m[1]).join("");
    expect(text).toBe(MOCK_REPLY_TEXT);
    expect(mock.messages.map((m) => [m.authorization, m.beta])).toEqual([
      [`Bearer ${accessToken}`, "oauth-2025-04-20"],
      [`Bearer ${accessToken}`, "oauth-2025-04-20"],
    ]);
  });

  test("scripted rate limits and overloads are not auth failures", async () => {
    const { accessToken } = mock.issuePair();
    mock.scriptMessages(
      { status: 429, headers: { "retry-after": "1" }, json: { type: "error", error: { type: "rate_limit_error" } } },
      { status: 529, json: { type: "error", error: { type: "overloaded_error" } } },
    );
    expect((await ask(accessToken)).status).toBe(429);
    expect((await ask(accessToken)).status).toBe(529);
    expect((await ask(accessToken)).status).toBe(200);
  });
});

for (const claude of CLAUDE_VERSIONS)
  describe(`the real claude ${claude.version} against the mock`, () => {
    test("prints the mock's answer with a valid token", async () => {
      const pair = mock.issuePair();
      home = await makeClaudeHome(mock, pair);
      const run = await runClaude(["-p", "hi"], { env: claudeEnv(home, mock), bin: claude.bin });
      expect(run).toMatchObject({ stdout: `${MOCK_REPLY_TEXT}\n`, exitCode: 0 });
      expect(mock.messages.at(-1)).toMatchObject({
        path: "/v1/messages",
        search: "?beta=true",
        authorization: `Bearer ${pair.accessToken}`,
        status: 200,
      });
      expect(mock.messages.at(-1)?.beta).toContain("oauth-2025-04-20");
    });

    test("keeps its temporary files in CLAUDE_CODE_TMPDIR, which the suite sets (claudeTmpDir)", async () => {
      home = await makeClaudeHome(mock, mock.issuePair());
      const tmp = join(home.home, "tmp");
      const run = await runClaude(["-p", "hi"], { env: { ...claudeEnv(home, mock), CLAUDE_CODE_TMPDIR: tmp }, bin: claude.bin });
      expect(run).toMatchObject({ stdout: `${MOCK_REPLY_TEXT}\n`, exitCode: 0 });
      // The newest leaves an fs.watch probe's dir behind in it on every -p run; the oldest makes none.
      if (claude === CLAUDE_VERSIONS[0]) expect(readdirSync(tmp)).toContain(`claude-${process.getuid?.()}`);
    });

    test("prints the 401 sentence on stdout and exits 1 with a revoked token", async () => {
      const pair = mock.issuePair();
      mock.revokeAccess(pair.accessToken);
      home = await makeClaudeHome(mock, pair);
      const run = await runClaude(["-p", "hi"], { env: claudeEnv(home, mock), bin: claude.bin });
      expect(run).toMatchObject({ stdout: `${AUTH_FAILURE}\n`, stderr: "", exitCode: 1 });
    });

    test("reports the 401 in the json and stream-json result objects", async () => {
      const pair = mock.issuePair();
      mock.revokeAccess(pair.accessToken);
      home = await makeClaudeHome(mock, pair);
      const env = claudeEnv(home, mock);
      const [asJson, asStream] = await Promise.all([
        runClaude(["-p", "hi", "--output-format", "json"], { env, bin: claude.bin }),
        runClaude(["-p", "hi", "--output-format", "stream-json", "--verbose"], { env, bin: claude.bin }),
      ]);
      const expected = { type: "result", is_error: true, api_error_status: 401, result: AUTH_FAILURE };
      expect(asJson.exitCode).toBe(1);
      expect(JSON.parse(asJson.stdout)).toMatchObject(expected);
      const lines = asStream.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(asStream.exitCode).toBe(1);
      expect(lines.find((l) => l.subtype === "api_retry")).toMatchObject({
        error_status: 401,
        error: "authentication_failed",
      });
      expect(lines.at(-1)).toMatchObject(expected);
    });

    test("refreshes through the mock by itself when its token is about to expire", async () => {
      const interceptor = await interceptAnthropicTls(mock);
      try {
        const pair = mock.issuePair();
        home = await makeClaudeHome(mock, { ...pair, expiresAt: Date.now() + 60_000 });
        const run = await runClaude(["-p", "hi"], { env: claudeEnv(home, mock, interceptor), bin: claude.bin });
        expect(run).toMatchObject({ stdout: `${MOCK_REPLY_TEXT}\n`, exitCode: 0 });
        expect(mock.redeemed).toEqual([pair.refreshToken]);
        expect(interceptor.connects).toContain("platform.claude.com:443");
        const written = (await Bun.file(home.credentialsPath).json()) as { claudeAiOauth: { accessToken: string } };
        expect(written.claudeAiOauth.accessToken).not.toBe(pair.accessToken);
        expect(mock.messages.at(-1)?.authorization).toBe(`Bearer ${written.claudeAiOauth.accessToken}`);
      } finally {
        await interceptor.stop();
      }
    });
  });
