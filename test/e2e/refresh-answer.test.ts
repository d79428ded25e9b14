import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, makeToken, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { expectNoSecrets, HOUR, runBin, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const SCOPES = ["user:inference", "user:profile", "user:sessions:claude_code"];

function due() {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
  return { home, pair, path: join(home, ".claude", ".credentials.json") };
}

const oauthOf = (path: string) => JSON.parse(readFileSync(path, "utf8")).claudeAiOauth;
const env = () => ({ ICLAUDE_TOKEN_URL: mock.tokenUrl });

describe("an absurd lifetime in the answer", () => {
  const cases: [string, unknown, number][] = [
    ["1e306 (JSON.stringify turns it into null)", 1e306, 24 * HOUR],
    ["1e300", 1e300, 24 * HOUR],
    ["a year", 365 * 86_400, 24 * HOUR],
    ["0.0001", 0.0001, 60_000],
    ["zero", 0, 60_000],
    ["negative", -5, 60_000],
    ["a string", "28800", 60_000],
    ["missing", undefined, 60_000],
  ];
  for (const [name, expiresIn, lifetime] of cases) {
    test(`${name}: the rotated pair is kept, its expiry bounded, and that is said once`, async () => {
      const h = due();
      const next = { access_token: makeToken("access"), refresh_token: makeToken("refresh") };
      mock.script({ status: 200, json: { ...next, expires_in: expiresIn, scope: SCOPES.join(" ") } });
      const started = Date.now();
      const run = await runBin(["refresh"], { home: h.home, env: env() });
      expect(run.code).toBe(0);
      expect(run.stderr.match(/partly absurd/g)).toHaveLength(1);
      expect(run.stderr).toMatch(/^iclaude: The token endpoint's answer was partly absurd \(.+\); the new login was kept\.\n$/);
      const oauth = oauthOf(h.path);
      expect([oauth.accessToken, oauth.refreshToken]).toEqual([next.access_token, next.refresh_token]);
      expect(oauth.expiresAt).toBeGreaterThanOrEqual(started + lifetime);
      expect(oauth.expiresAt).toBeLessThanOrEqual(Date.now() + lifetime);
      const status = await runBin(["status", "--json"], { home: h.home });
      expect(JSON.parse(status.stdout).expiresAt).toBe(oauth.expiresAt);
      expectNoSecrets([run.stdout, run.stderr, status.stdout, status.stderr], [h.pair.refreshToken, next.access_token, next.refresh_token]);
    });
  }

  test("a sound answer says nothing about it", async () => {
    const h = due();
    const run = await runBin(["refresh"], { home: h.home, env: env() });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
  });
});

describe("characters no token has", () => {
  const hostile = ["\u001b]0;pwned\u0007", "line\nbreak", "tab\there", "nul\u0000", "é-unicode", " spaced "];
  for (const bad of hostile) {
    test(`an access token with ${JSON.stringify(bad)}: the rotated refresh token is kept, the old access token stays, expired`, async () => {
      const h = due();
      const rotated = makeToken("refresh");
      mock.script({ status: 200, json: { access_token: `sk-ant-oat01-${bad}`, refresh_token: rotated, expires_in: 28800 } });
      const started = Date.now();
      const run = await runBin(["refresh"], { home: h.home, env: env() });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("an access_token that is not a token");
      const oauth = oauthOf(h.path);
      expect([oauth.accessToken, oauth.refreshToken]).toEqual([h.pair.accessToken, rotated]);
      expect(oauth.expiresAt).toBeGreaterThanOrEqual(started);
      expect(oauth.expiresAt).toBeLessThanOrEqual(Date.now());
      expect(run.stdout + run.stderr).not.toContain(bad);
    });
  }

  test("a scope with control characters keeps the old scopes", async () => {
    const h = due();
    mock.script({
      status: 200,
      json: { access_token: makeToken("access"), refresh_token: makeToken("refresh"), expires_in: 28800, scope: "user:inference \u001b[2J" },
    });
    const run = await runBin(["refresh"], { home: h.home, env: env() });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("a scope that is not a list of scopes");
    expect(oauthOf(h.path).scopes).toEqual(SCOPES);
  });

  test("an answer with neither a usable access token nor a refresh token is a bad answer: nothing written", async () => {
    const h = due();
    const before = readFileSync(h.path);
    mock.script({ status: 200, json: { access_token: "\u001b]0;x\u0007", expires_in: 28800 } });
    const run = await runBin(["refresh"], { home: h.home, env: env() });
    expect(run.code).toBe(21);
    expect(run.stderr).toBe(
      "iclaude: The token endpoint's answer could not be used (the answer has no usable access_token); the old login was kept — try again later.\n",
    );
    expect(readFileSync(h.path)).toEqual(before);
  });

  test("`iclaude token` does not print a stored access token holding control characters", async () => {
    const home = tempHome();
    writeCredentials(home, { accessToken: "sk-ant-oat01-\u001b]0;pwned\u0007", expiresAt: Date.now() + 5 * HOUR });
    const run = await runBin(["token"], { home });
    expect(run.code).toBe(20);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "iclaude: The stored access token holds characters no token has, so it is not printed; run `iclaude refresh --force`, or log in with `claude /login`.\n",
    );
  });

  test("a file written with such a token by someone else is repaired by the next refresh", async () => {
    const h = due();
    const text = readFileSync(h.path, "utf8").replace(h.pair.accessToken, "sk-ant-oat01-\\u001b]0;x\\u0007");
    writeFileSync(h.path, text);
    const run = await runBin(["token"], { home: h.home, env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^sk-ant-oat01-[A-Za-z0-9_-]+\n$/);
    expect(mock.isAccessValid(run.stdout.trim())).toBe(true);
  });
});
