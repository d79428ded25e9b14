import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { fingerprint } from "../../src/base/secrets.ts";
import { CLAUDE_CODE_CLIENT_ID, type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import {
  BIN,
  baseEnv,
  DAY,
  defined,
  expectNoSecrets,
  fakeSecurity,
  HOUR,
  type Run,
  runBin,
  tempHome,
  unprivileged,
  waitFor,
  writeCredentials,
} from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const EXTRA = { mcpOAuth: { "some-server": { accessToken: "mcp-secret-value", expiresAt: 1 } }, futureKey: [1, 2, 3] };

interface Home {
  home: string;
  path: string;
  state: string;
  pair: { accessToken: string; refreshToken: string };
  /** Every token this home has seen, for the no-secrets checks. */
  secrets: string[];
}

function setup(expiresIn: number, fields: Record<string, unknown> = {}, m = mock): Home {
  const home = tempHome();
  const pair = m.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + expiresIn, rateLimitTier: "default_claude_max_20x", ...fields }, EXTRA);
  return {
    home,
    path: join(home, ".claude", ".credentials.json"),
    state: join(home, ".local", "state", "iclaude"),
    pair,
    secrets: [pair.accessToken, pair.refreshToken],
  };
}

function refresh(h: Home, args: string[] = [], env: Record<string, string | undefined> = {}, m = mock): Promise<Run> {
  return runBin(["refresh", ...args], { home: h.home, env: { ICLAUDE_TOKEN_URL: m.tokenUrl, ...env } });
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const mode = (path: string) => statSync(path).mode & 0o777;

/** Everything iclaude wrote that a person or a log could see. */
function visible(h: Home, runs: Run[]): string[] {
  const logs = existsSync(h.state)
    ? readdirSync(h.state)
        .filter((n) => !n.startsWith("long-lived"))
        .map((n) => readFileSync(join(h.state, n), "utf8"))
    : [];
  return [...runs.flatMap((r) => [r.stdout, r.stderr]), ...logs];
}

/** An expected failure: one sentence on stderr, nothing on stdout, no stack. */
function expectOneSentence(run: Run): void {
  expect(run.stdout).toBe("");
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(/^iclaude: .+\.\n$/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe("iclaude refresh", () => {
  test("refreshes a due token: new pair, .bak of the old, 0600, other keys kept, exact request", async () => {
    const h = setup(10 * 60_000);
    const sent = mock.requests.length;
    const run = await refresh(h);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^refreshed — access token valid (7h 59m|8h), login has no set end\n$/);
    const file = read(h.path);
    const oauth = file.claudeAiOauth;
    expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
    expect(oauth.refreshToken).not.toBe(h.pair.refreshToken);
    expect(oauth.expiresAt).toBeGreaterThan(Date.now() + 7.9 * HOUR);
    expect(oauth.rateLimitTier).toBe("default_claude_max_20x");
    expect(oauth.subscriptionType).toBe("max");
    expect(file.mcpOAuth).toEqual(EXTRA.mcpOAuth);
    expect(file.futureKey).toEqual(EXTRA.futureKey);
    expect(read(`${h.path}.bak`).claudeAiOauth.refreshToken).toBe(h.pair.refreshToken);
    expect([mode(h.path), mode(`${h.path}.bak`)]).toEqual([0o600, 0o600]);
    const request = mock.requests[sent];
    expect(mock.requests.length).toBe(sent + 1);
    expect(request?.rawBody).toBe(
      JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: h.pair.refreshToken,
        client_id: CLAUDE_CODE_CLIENT_ID,
        scope: "user:inference user:profile user:sessions:claude_code",
      }),
    );
    expect(request?.userAgent).toBe("axios/1.15.2");
    expect(Number(readFileSync(join(h.state, "next-check"), "utf8"))).toBeGreaterThan(Date.now() / 1000);
    expectNoSecrets(visible(h, [run]), [...h.secrets, oauth.accessToken, oauth.refreshToken]);
  });

  test("--json gives the outcome as data; --refresh-token is the same command", async () => {
    const h = setup(10 * 60_000, { refreshTokenExpiresAt: Date.now() + 30 * DAY });
    const run = await runBin(["--refresh-token", "--json"], { home: h.home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data).toMatchObject({ outcome: "refreshed", status: "valid", store: "file", action: "none", hasRefreshToken: true, path: h.path });
    expect(data.expiresIn).toBeGreaterThan(7.9 * 3600);
    expectNoSecrets([run.stdout, run.stderr], [...h.secrets, read(h.path).claudeAiOauth.accessToken]);
  });

  test("leaves a token that is not due alone; --force refreshes it now", async () => {
    const h = setup(5 * HOUR, { refreshTokenExpiresAt: Date.now() + 30 * DAY });
    const sent = mock.requests.length;
    const idle = await refresh(h);
    expect([idle.code, idle.stdout]).toEqual([0, "nothing due — access token valid 4h 59m, login ends in 30 days\n"]);
    expect(mock.requests.length).toBe(sent);
    expect(existsSync(`${h.path}.bak`)).toBe(false);
    const forced = await refresh(h, ["--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toStartWith("refreshed — ");
    expect(mock.requests.length).toBe(sent + 1);
  });

  test("invalid_grant: exit 20 in one sentence, the file byte-identical, the token remembered by fingerprint only", async () => {
    const h = setup(10 * 60_000);
    mock.killRefresh(h.pair.refreshToken);
    const before = readFileSync(h.path, "utf8");
    const first = await refresh(h);
    expect(first.code).toBe(20);
    expectOneSentence(first);
    expect(first.stderr).toContain("invalid_grant");
    expect(first.stderr).toContain("claude /login");
    expect(readFileSync(h.path, "utf8")).toBe(before);
    expect(existsSync(`${h.path}.bak`)).toBe(false);
    expect(readFileSync(join(h.state, "dead-refresh-tokens"), "utf8")).toBe(`${fingerprint(h.pair.refreshToken)}\n`);
    // The access token still works for minutes; the notice counts them down.
    expect(readFileSync(join(h.state, "notice"), "utf8")).toMatch(new RegExp(`^iclaude: Claude login ends in \\d+m — run: '${BIN}' refresh\n$`));
    const sent = mock.requests.length;
    const again = await refresh(h, ["--force"]);
    expect(again.code).toBe(20);
    expect(mock.requests.length).toBe(sent);
    expectNoSecrets(visible(h, [first, again]), h.secrets);
  });

  test("a new login after invalid_grant wins at once, cooldown or not", async () => {
    const h = setup(10 * 60_000);
    mock.killRefresh(h.pair.refreshToken);
    expect((await refresh(h)).code).toBe(20);
    const fresh = mock.issuePair();
    writeCredentials(h.home, { ...fresh, expiresAt: Date.now() + 10 * 60_000 }, EXTRA);
    const run = await refresh(h);
    expect(run.code).toBe(0);
    expect(run.stdout).toStartWith("refreshed — ");
    expect(existsSync(join(h.state, "notice"))).toBe(false);
  });

  test("retries 5xx, dropped connections and 429 with Retry-After within one run", async () => {
    const h = setup(10 * 60_000);
    const sent = mock.requests.length;
    mock.script({ status: 502 }, { close: true }, { status: 429, headers: { "retry-after": "1" } });
    const run = await refresh(h);
    expect(run.code).toBe(0);
    expect(mock.requests.length).toBe(sent + 4);
    expect(mock.isAccessValid(read(h.path).claudeAiOauth.accessToken)).toBe(true);
  });

  // Slow by design (about 2 s): the one run with the real delays, which every other test scales down.
  test("without the test-only scale, a Retry-After is really waited out before the next attempt", async () => {
    const h = setup(10 * 60_000);
    mock.script({ status: 429, headers: { "retry-after": "2" } });
    const run = await refresh(h, [], { ICLAUDE_TEST_DELAY_SCALE: undefined });
    expect(run.code).toBe(0);
    const [refused, retried] = mock.requests;
    expect(defined(retried).at - defined(refused).at).toBeGreaterThanOrEqual(2_000);
  });

  test("--json reports a failure as data too, masked, with the exit code", async () => {
    const h = setup(10 * 60_000);
    mock.killRefresh(h.pair.refreshToken);
    const run = await refresh(h, ["--json"]);
    expect(run.code).toBe(20);
    const data = JSON.parse(run.stdout);
    expect(data).toMatchObject({ outcome: "failed", exitCode: 20 });
    expect(data.error).toContain("invalid_grant");
    expectNoSecrets([run.stdout, run.stderr], h.secrets);
  });

  test("another 4xx and a 200 that is no token answer: exit 21, nothing written", async () => {
    for (const answer of [
      { status: 400, json: { error: "invalid_client", error_description: "Client unknown" } },
      { status: 200, body: "<html>oops</html>" },
    ]) {
      const h = setup(10 * 60_000);
      const before = readFileSync(h.path, "utf8");
      mock.script(answer);
      const sent = mock.requests.length;
      const run = await refresh(h);
      expect(run.code).toBe(21);
      expectOneSentence(run);
      expect(mock.requests.length).toBe(sent + 1);
      expect(readFileSync(h.path, "utf8")).toBe(before);
      expect(existsSync(`${h.path}.bak`)).toBe(false);
    }
  });

  test("after failed retries: exit 21, then 22 while the cooldown lasts, and --force tries again", async () => {
    const h = setup(10 * 60_000);
    const before = readFileSync(h.path, "utf8");
    mock.script(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const failed = await refresh(h);
    expect(failed.code).toBe(21);
    expectOneSentence(failed);
    expect(readFileSync(h.path, "utf8")).toBe(before);
    const sent = mock.requests.length;
    const cooling = await refresh(h);
    expect(cooling.code).toBe(22);
    expectOneSentence(cooling);
    expect(mock.requests.length).toBe(sent);
    expect(Number(readFileSync(join(h.state, "next-check"), "utf8"))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 20);
    const forced = await refresh(h, ["--force"]);
    expect(forced.code).toBe(0);
    expect(mock.requests.length).toBe(sent + 1);
  });

  test("stdout and stderr whose reader has gone (debug lines around the send) cost no login", async () => {
    const h = setup(10 * 60_000);
    const proc = Bun.spawn([BIN, "refresh", "--force"], {
      env: baseEnv(h.home, { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_DEBUG: "1" }),
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    await Promise.all([proc.stdout.cancel(), proc.stderr.cancel()]);
    await proc.exited;
    const oauth = read(h.path).claudeAiOauth;
    expect(oauth.refreshToken).not.toBe(h.pair.refreshToken);
    // What was written is the live successor: the next refresh is granted.
    expect((await refresh(h, ["--force"])).code).toBe(0);
  });

  test("another profile's failure does not end this profile's cooldown", async () => {
    const h = setup(10 * 60_000);
    const work = join(h.home, "work-claude");
    const workPair = mock.issuePair();
    writeCredentials(h.home, { ...workPair, expiresAt: Date.now() + 10 * 60_000 }, {}, work);
    mock.script(...Array.from({ length: 8 }, () => ({ status: 503 })));
    expect((await refresh(h)).code).toBe(21);
    expect((await refresh(h, [], { CLAUDE_CONFIG_DIR: work })).code).toBe(21);
    const sent = mock.requests.length;
    expect((await refresh(h)).code).toBe(22);
    expect((await refresh(h, [], { CLAUDE_CONFIG_DIR: work })).code).toBe(22);
    expect(mock.requests.length).toBe(sent);
  });

  test("keeps the old refresh token when the answer has none", async () => {
    const m = startMockAnthropic({ omitRefreshToken: true });
    try {
      const h = setup(10 * 60_000, {}, m);
      expect((await refresh(h, [], {}, m)).code).toBe(0);
      const oauth = read(h.path).claudeAiOauth;
      expect(oauth.refreshToken).toBe(h.pair.refreshToken);
      expect(oauth.accessToken).not.toBe(h.pair.accessToken);
    } finally {
      await m.stop();
    }
  });

  test("a Claude Code refresh in progress (its lock held fresh) keeps iclaude off the endpoint: exit 23", async () => {
    const h = setup(10 * 60_000);
    const dir = join(h.home, ".claude");
    const release = await lock(dir, { lockfilePath: join(dir, ".oauth_refresh.lock"), realpath: false, stale: 10_000 });
    const sent = mock.requests.length;
    const run = await refresh(h, ["--lock-wait", "1s"]);
    await release();
    expect(run.code).toBe(23);
    expectOneSentence(run);
    expect(mock.requests.length).toBe(sent);
  });

  test("a SIGINT, SIGTERM or SIGHUP after the request is sent waits until the new pair is written", async () => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      const h = setup(10 * 60_000);
      const sent = mock.requests.length;
      const answer = Promise.withResolvers<void>();
      mock.script({ hold: answer.promise });
      const proc = Bun.spawn([BIN, "refresh"], { cwd: h.home, env: baseEnv(h.home, { ICLAUDE_TOKEN_URL: mock.tokenUrl }), stdout: "pipe", stderr: "pipe" });
      await waitFor(() => mock.requests.length > sent);
      expect(mock.requests.length).toBe(sent + 1);
      proc.kill(signal);
      answer.resolve();
      await proc.exited;
      expect(proc.signalCode).toBe(signal);
      const oauth = read(h.path).claudeAiOauth;
      expect(mock.redeemed).toContain(h.pair.refreshToken);
      expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
      expect(oauth.refreshToken).not.toBe(h.pair.refreshToken);
      expect(readdirSync(join(h.home, ".claude")).sort()).toEqual([".credentials.json", ".credentials.json.bak"]);
      expect(existsSync(`${h.home}/.claude.lock`)).toBe(false);
    }
  });

  test("--background prints nothing and logs one line; --quiet prints nothing", async () => {
    const h = setup(10 * 60_000);
    const run = await refresh(h, ["--background"]);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, "", ""]);
    const log = readFileSync(join(h.state, "iclaude.log"), "utf8");
    expect(log).toMatch(/^\S+Z refresh: refreshed — access token valid .+\n$/);
    expect(mode(join(h.state, "iclaude.log"))).toBe(0o600);
    mock.killRefresh(read(h.path).claudeAiOauth.refreshToken);
    const failed = await refresh(h, ["--background", "--force"]);
    expect([failed.code, failed.stdout]).toEqual([20, ""]);
    expect(readFileSync(join(h.state, "iclaude.log"), "utf8").trim().split("\n")[1]).toMatch(/refresh: failed \(exit 20\) .*invalid_grant/);
    const quiet = await refresh(setup(5 * HOUR), ["--quiet"]);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, "", ""]);
    expectNoSecrets(visible(h, [run, failed]), [...h.secrets, read(h.path).claudeAiOauth.accessToken, read(h.path).claudeAiOauth.refreshToken]);
  });

  test("an ended login without a terminal: exit 20, the credentials untouched", async () => {
    const h = setup(-HOUR, { refreshToken: null });
    const before = readFileSync(h.path, "utf8");
    const run = await refresh(h);
    expect(run.code).toBe(20);
    expectOneSentence(run);
    expect(readFileSync(h.path, "utf8")).toBe(before);
  });

  test("an expiring login without a terminal is a warning, exit 0", async () => {
    const h = setup(5 * HOUR, { refreshTokenExpiresAt: Date.now() + 3 * DAY });
    const run = await refresh(h, ["--no-interactive"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^nothing due — access token valid .*, login ends in 2 days 23h\n$/);
    expect(run.stderr).toMatch(/^iclaude: The Claude login ends in 2 days 23h; .+\.\n$/);
  });

  test("a state dir that cannot remember a refused token: exit 21, nothing sent", async () => {
    const h = setup(10 * 60_000);
    const before = readFileSync(h.path, "utf8");
    writeFileSync(join(h.home, "not-a-dir"), "");
    const sent = mock.requests.length;
    const run = await refresh(h, [], { ICLAUDE_STATE_DIR: join(h.home, "not-a-dir", "iclaude") });
    expect(run.code).toBe(21);
    expectOneSentence(run);
    expect(run.stderr).toContain("Cannot write iclaude's state in");
    expect(run.stderr).toContain("nothing was sent");
    expect(mock.requests.length).toBe(sent);
    expect(readFileSync(h.path, "utf8")).toBe(before);
  });

  test("a .bak that is not a file: exit 21 before anything is sent", async () => {
    const h = setup(10 * 60_000);
    mkdirSync(`${h.path}.bak`);
    const sent = mock.requests.length;
    const run = await refresh(h);
    expect(run.code).toBe(21);
    expectOneSentence(run);
    expect(run.stderr).toContain(".credentials.json.bak is not a file");
    expect(mock.requests.length).toBe(sent);
    expectNoSecrets([run.stdout, run.stderr], h.secrets);
  });

  test("a credentials file it could not replace is not refreshed at all: exit 21, nothing sent", async () => {
    const h = setup(10 * 60_000);
    const locked = join(h.home, "read-only");
    mkdirSync(locked);
    renameSync(h.path, join(locked, "credentials.json"));
    symlinkSync(join(locked, "credentials.json"), h.path);
    if (process.getuid?.() === 0) Bun.spawnSync(["chown", "-hR", "65534:65534", h.home]);
    chmodSync(locked, 0o555);
    chmodSync(h.home, 0o755);
    const sent = mock.requests.length;
    const proc = Bun.spawn(unprivileged([BIN, "refresh"]), {
      cwd: "/",
      env: baseEnv(h.home, { ICLAUDE_TOKEN_URL: mock.tokenUrl }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    chmodSync(locked, 0o755);
    expect(code).toBe(21);
    expectOneSentence({ code, stdout, stderr });
    expect(stderr).toContain("nothing was sent");
    expect(mock.requests.length).toBe(sent);
  });

  test("refreshes in the Keychain as Claude Code writes it, keeping the previous value as a backup item", async () => {
    const home = tempHome();
    const security = fakeSecurity(home);
    const pair = mock.issuePair();
    const content = { claudeAiOauth: { ...pair, expiresAt: Date.now() + 10 * 60_000, scopes: ["user:inference"] }, mcpOAuth: { kept: true } };
    const add = (service: string, value: string) =>
      Bun.spawnSync([security, "-i"], {
        stdin: Buffer.from(`add-generic-password -U -a "tester" -s "${service}" -X "${Buffer.from(value).toString("hex")}"\n`),
      });
    const find = (service: string) => Bun.spawnSync([security, "find-generic-password", "-a", "tester", "-w", "-s", service]).stdout.toString().trim();
    add("Claude Code-credentials", JSON.stringify(content));
    const run = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_STORE: "keychain", ICLAUDE_SECURITY_BIN: security } });
    expect(run.code).toBe(0);
    const stored = JSON.parse(find("Claude Code-credentials"));
    expect(mock.isAccessValid(stored.claudeAiOauth.accessToken)).toBe(true);
    expect(stored.claudeAiOauth.refreshToken).not.toBe(pair.refreshToken);
    expect(stored.mcpOAuth).toEqual({ kept: true });
    expect(JSON.parse(find("Claude Code-credentials-iclaude-backup"))).toEqual(content);
    expect(existsSync(join(home, ".claude", ".credentials.json"))).toBe(false);
    expectNoSecrets([run.stdout, run.stderr], [pair.accessToken, pair.refreshToken, stored.claudeAiOauth.accessToken, stored.claudeAiOauth.refreshToken]);
  });

  test("a corrupt credentials file is never overwritten", async () => {
    const h = setup(10 * 60_000);
    writeFileSync(h.path, '{"claudeAiOauth": {"accessToken": ', { mode: 0o600 });
    const run = await refresh(h, ["--force"]);
    expect(run.code).toBe(20);
    expectOneSentence(run);
    expect(readFileSync(h.path, "utf8")).toBe('{"claudeAiOauth": {"accessToken": ');
  });
});
