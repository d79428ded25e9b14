import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { type MockAnthropic, makeToken, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, baseEnv, DAY, expectNoSecrets, fakeSecurity, fakeToken, HOUR, ROOT, runBin, startBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/* What Claude Code 2.1.332 changed, each point of issue 10 driven through the compiled binary. */

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const FAKE = join(ROOT, "test/fixtures/fake-claude-launch/claude");

function setup(fields: Record<string, unknown> = {}, m = mock, dir?: string) {
  const home = tempHome();
  const pair = m.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000, ...fields }, { mcpOAuth: { a: { accessToken: "mcp" } } }, dir);
  const path = join(dir ?? join(home, ".claude"), ".credentials.json");
  return { home, pair, path, dir: dir ?? join(home, ".claude") };
}

const oauthOf = (path: string) => JSON.parse(readFileSync(path, "utf8")).claudeAiOauth;

function storeLongLived(home: string): string {
  const token = fakeToken("oat01");
  const state = join(home, ".local", "state", "iclaude");
  mkdirSync(state, { recursive: true });
  writeFileSync(join(state, "long-lived-token.json"), JSON.stringify({ token, expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() }), { mode: 0o600 });
  return token;
}

describe("Claude Code 2.1.332's locks", () => {
  test("its refresh lock touched 20 s ago is live (stale only after 60 s): exit 23 and nothing spent", async () => {
    const { home, dir } = setup();
    const held = join(dir, ".oauth_refresh.lock");
    mkdirSync(held);
    utimesSync(held, new Date(Date.now() - 20_000), new Date(Date.now() - 20_000));
    const sent = mock.requests.length;
    const run = await runBin(["refresh", "--lock-wait", "1s"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(run.code).toBe(23);
    expect(mock.requests.length).toBe(sent);
    // Untouched for 70 s it is a dead holder's, taken over as Claude Code would.
    utimesSync(held, new Date(Date.now() - 70_000), new Date(Date.now() - 70_000));
    expect((await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } })).code).toBe(0);
  });

  test("a held .storage-write.lock: the new pair waits for it and lands in the file as Claude Code left it", async () => {
    const { home, pair, path, dir } = setup();
    const answer = Promise.withResolvers<void>();
    mock.script({ hold: answer.promise });
    const run = startBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_DEBUG: "1" } });
    await waitFor(() => mock.requests.length === 1);
    // Claude Code saves an MCP token under its storage lock while the grant is in flight.
    const release = await lock(join(dir, ".storage-write"), { realpath: false, stale: 15_000 });
    const file = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({ ...file, mcpOAuth: { b: { accessToken: "saved meanwhile" } } }));
    answer.resolve();
    await waitFor(() => run.stderr().includes("Claude Code is writing its credentials (its storage lock is held)"));
    const whileHeld = oauthOf(path).refreshToken;
    await release();
    expect((await run.done).code).toBe(0);
    expect(whileHeld).toBe(pair.refreshToken);
    const after = JSON.parse(readFileSync(path, "utf8"));
    expect(after.claudeAiOauth.refreshToken).not.toBe(pair.refreshToken);
    expect(mock.isAccessValid(after.claudeAiOauth.accessToken)).toBe(true);
    expect(after.mcpOAuth).toEqual({ b: { accessToken: "saved meanwhile" } });
  });

  test("CLAUDE_SECURESTORAGE_CONFIG_DIR: the credentials are read, locked and written there", async () => {
    const home = tempHome();
    const secure = join(home, "secure");
    const { pair, path } = setup({}, mock, secure);
    const env = { ICLAUDE_TOKEN_URL: mock.tokenUrl, CLAUDE_SECURESTORAGE_CONFIG_DIR: secure };
    const status = await runBin(["status", "--json"], { home, env });
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "refresh-due", path });
    expect((await runBin(["refresh"], { home, env })).code).toBe(0);
    expect(mock.redeemed).toContain(pair.refreshToken);
    expect(oauthOf(`${path}.bak`).refreshToken).toBe(pair.refreshToken);
    expect(existsSync(join(home, ".claude"))).toBe(false);
  });
});

describe("the grant as Claude Code 2.1.332 sends it", () => {
  test("uses the credential's own clientId and keeps it; iclaude's own setting wins over it", async () => {
    const custom = startMockAnthropic({ clientId: "00000000-0000-4000-8000-0000c11e0001" });
    try {
      const { home, path } = setup({ clientId: "00000000-0000-4000-8000-0000c11e0001" }, custom);
      expect((await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: custom.tokenUrl } })).code).toBe(0);
      expect(custom.requests.at(-1)?.body?.client_id).toBe("00000000-0000-4000-8000-0000c11e0001");
      expect(oauthOf(path).clientId).toBe("00000000-0000-4000-8000-0000c11e0001");
      const own = setup({ clientId: "someone-else" }, custom);
      const env = { ICLAUDE_TOKEN_URL: custom.tokenUrl, ICLAUDE_CLIENT_ID: "00000000-0000-4000-8000-0000c11e0001" };
      expect((await runBin(["refresh"], { home: own.home, env })).code).toBe(0);
    } finally {
      await custom.stop();
    }
  });

  test("sends Claude Code's headers, the User-Agent overridable", async () => {
    const { home } = setup();
    await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(mock.requests.at(-1)?.headers).toMatchObject({
      "user-agent": "axios/1.15.2",
      accept: "application/json, text/plain, */*",
      "content-type": "application/json",
    });
    const other = setup();
    await runBin(["refresh"], { home: other.home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_USER_AGENT: "my-agent/1" } });
    expect(mock.requests.at(-1)?.userAgent).toBe("my-agent/1");
  });

  test("refresh_token_expires_in: the login's end becomes min(old, now + it); a passed end is still refreshed", async () => {
    const { home, path } = setup({ refreshTokenExpiresAt: Date.now() + 30 * DAY });
    mock.script({
      json: {
        access_token: makeToken("access"),
        refresh_token: makeToken("refresh"),
        expires_in: 28800,
        refresh_token_expires_in: 86400,
        scope: "user:inference",
      },
    });
    expect((await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } })).code).toBe(0);
    const end = oauthOf(path).refreshTokenExpiresAt;
    expect(end).toBeGreaterThan(Date.now() + 23 * HOUR);
    expect(end).toBeLessThanOrEqual(Date.now() + DAY);

    const passed = setup({ refreshTokenExpiresAt: Date.now() - DAY, expiresAt: Date.now() + 5 * HOUR });
    const status = await runBin(["status"], { home: passed.home });
    expect(status.code).toBe(11);
    expect(status.stdout).toMatch(/login was expected to end 1 day ago, and still renews until Anthropic ends it/);
    const forced = await runBin(["refresh", "--force"], { home: passed.home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(forced.code).toBe(0);
    expect(mock.redeemed).toContain(passed.pair.refreshToken);
  });

  test("invalid_scope is final but spends nothing: exit 21 in one sentence, the login kept and sent again later", async () => {
    const { home, pair, path } = setup();
    mock.script({ status: 400, json: { error: "invalid_scope" } });
    const run = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_COOLDOWN: "0" } });
    expect(run.code).toBe(21);
    expect(run.stderr).toMatch(/^iclaude: Anthropic refused this login's own scopes \(HTTP 400 invalid_scope\); the old login was kept/);
    expect(oauthOf(path).refreshToken).toBe(pair.refreshToken);
    expect((await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_COOLDOWN: "0" } })).code).toBe(0);
    expect(mock.redeemed).toContain(pair.refreshToken);
  });
});

describe("a login Claude Code ended", () => {
  for (const [what, fields, words] of [
    ["blanked after invalid_grant", {}, "Claude Code ended this login after Anthropic refused its refresh token"],
    ["marked loginEnded", { loginEnded: "time_limit" }, "Claude Code ended this login: it reached its time limit"],
  ] as const) {
    test(`${what}: expired (12) with action login, then a stored long-lived token takes over`, async () => {
      const home = tempHome();
      writeCredentials(home, { accessToken: "", refreshToken: "", expiresAt: 0, ...fields });
      const status = await runBin(["status"], { home });
      expect(status.code).toBe(12);
      expect(status.stdout).toBe(
        `expired — ${words} (max, file)\nlog in again with \`claude /login\`, or run \`iclaude refresh\` at a terminal to create a long-lived token\n`,
      );
      const refresh = await runBin(["refresh"], { home });
      expect(refresh.code).toBe(20);
      expect(refresh.stderr).toContain(words);
      const token = storeLongLived(home);
      const json = await runBin(["status", "--json"], { home });
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ status: "valid", store: "long-lived" });
      const launched = await runBin(["--", "x"], { home, env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args" } });
      expect(launched.stdout).toBe("[x]\noauth=set\n");
      // That launch left next-check ahead and no notice: the next one, the last check's verdict
      // standing, still hands claude the token.
      const state = join(home, ".local", "state", "iclaude");
      expect([existsSync(join(state, "next-check")), existsSync(join(state, "notice"))]).toEqual([true, false]);
      const again = await runBin(["--", "x"], { home, env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args" } });
      expect(again.stdout).toBe("[x]\noauth=set\n");
      expectNoSecrets([status.stdout, refresh.stderr, json.stdout, launched.stdout, launched.stderr, again.stdout, again.stderr], [token]);
    });
  }
});

describe("the launcher's retry on 2.1.332's failure sentences", () => {
  const SENTENCES = [
    "Failed to authenticate: OAuth session expired and could not be refreshed",
    "Failed to authenticate: this login reached its time limit and cannot be renewed. Run `claude auth login` to sign in again, or use `claude setup-token` and set CLAUDE_CODE_OAUTH_TOKEN for unattended jobs",
    "Login expired · Please run /login",
    "Login reached its time limit · Please run /login",
    '{"type":"result","is_error":true,"api_error_status":401,"api_error_type":"authentication_error","result":"Failed to authenticate. API Error: 401 x"}',
  ];
  for (const sentence of SENTENCES) {
    test(`one refresh and one retry after: ${sentence.slice(0, 60)}`, async () => {
      const { home, pair } = setup({ expiresAt: Date.now() + 5 * HOUR });
      const log = join(home, "runs");
      const run = await runBin(["-p", "hi"], {
        home,
        env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "refused", FAKE_LOG: log, FAKE_SENTENCE: sentence, ICLAUDE_TOKEN_URL: mock.tokenUrl },
      });
      expect(run).toEqual({
        code: 0,
        stdout: "answer oauth=\n",
        stderr: "iclaude: claude's login was refused; iclaude refreshed it and is running claude once more.\n",
      });
      expect(readFileSync(log, "utf8")).toBe("run\nrun\n");
      expect(mock.redeemed).toContain(pair.refreshToken);
    });
  }

  test("a claude stopped by a signal iclaude forwarded is not run again, whatever it printed", async () => {
    const { home, pair } = setup({ expiresAt: Date.now() + 5 * HOUR });
    const log = join(home, "runs");
    const env = { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "refused-waiting", FAKE_LOG: log, FAKE_SENTENCE: SENTENCES[0], ICLAUDE_TOKEN_URL: mock.tokenUrl };
    const proc = Bun.spawn([BIN, "-p", "hi"], { cwd: home, env: baseEnv(home, env), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    await waitFor(() => existsSync(`${log}.said`));
    proc.kill("SIGTERM");
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect([code, stderr]).toEqual([143, ""]);
    expect(readFileSync(log, "utf8")).toBe("run\n");
    expect(mock.redeemed).not.toContain(pair.refreshToken);
  });

  test("claude blanks its file, a long-lived token is stored: the retry runs claude with it", async () => {
    const { home, pair } = setup({ expiresAt: Date.now() + 5 * HOUR });
    const token = storeLongLived(home);
    const log = join(home, "runs");
    const env = {
      ICLAUDE_CLAUDE_BIN: FAKE,
      FAKE_MODE: "refused",
      FAKE_LOG: log,
      FAKE_BLANK: "1",
      FAKE_SENTENCE: SENTENCES[0],
      ICLAUDE_TOKEN_URL: mock.tokenUrl,
    };
    const run = await runBin(["-p", "hi"], { home, env });
    expect(run).toEqual({
      code: 0,
      stdout: "answer oauth=set\n",
      stderr: "iclaude: claude's login was refused; iclaude is running claude once more with the stored long-lived token.\n",
    });
    expect(mock.redeemed).not.toContain(pair.refreshToken);
    expectNoSecrets([run.stdout, run.stderr], [token, pair.accessToken, pair.refreshToken]);
  });
});

describe("Keychain naming", () => {
  test("USER='jane doe' reads Claude Code's item under the account claude-code-user", async () => {
    const home = tempHome();
    const security = fakeSecurity(home);
    const credentials = JSON.stringify({
      claudeAiOauth: { accessToken: fakeToken(), refreshToken: fakeToken("ort01"), expiresAt: Date.now() + 5 * HOUR, scopes: [] },
    });
    const hex = Buffer.from(credentials).toString("hex");
    Bun.spawnSync([security, "add-generic-password", "-U", "-a", "claude-code-user", "-s", "Claude Code-credentials", "-X", hex]);
    const run = await runBin(["status", "--json"], { home, env: { USER: "jane doe", ICLAUDE_STORE: "keychain", ICLAUDE_SECURITY_BIN: security } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "valid", store: "keychain", path: "Claude Code-credentials" });
  });
});
