import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { DAY, expectNoSecrets, fakeToken, HOUR, runBin, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

function setup(expiresIn: number, fields: Record<string, unknown> = {}) {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + expiresIn, ...fields });
  return { home, pair, path: join(home, ".claude", ".credentials.json") };
}

const token = (home: string, env: Record<string, string> = {}) => runBin(["token"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ...env } });

describe("iclaude token", () => {
  test("prints the current access token and nothing else when none is due", async () => {
    const { home, pair } = setup(5 * HOUR);
    const sent = mock.requests.length;
    const run = await token(home);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, `${pair.accessToken}\n`, ""]);
    expect(mock.requests.length).toBe(sent);
  });

  test("refreshes first when due and prints the new token", async () => {
    const { home, pair, path } = setup(10 * 60_000);
    const run = await token(home);
    const fresh = JSON.parse(readFileSync(path, "utf8")).claudeAiOauth.accessToken;
    expect(run.code).toBe(0);
    expect(fresh).not.toBe(pair.accessToken);
    expect(run.stdout).toBe(`${fresh}\n`);
    expect(mock.isAccessValid(fresh)).toBe(true);
    expectNoSecrets([run.stderr], [fresh, pair.refreshToken]);
  });

  test("prints CLAUDE_CODE_OAUTH_TOKEN when it is set, as claude would use it", async () => {
    const { home } = setup(10 * 60_000);
    const env = fakeToken("oat01");
    const sent = mock.requests.length;
    expect((await token(home, { CLAUDE_CODE_OAUTH_TOKEN: env })).stdout).toBe(`${env}\n`);
    expect(mock.requests.length).toBe(sent);
  });

  test("prints the stored long-lived token when Claude Code's login has ended", async () => {
    const { home } = setup(-HOUR, { accessToken: "", refreshToken: "", expiresAt: 0 });
    const longLived = fakeToken("oat01");
    const state = join(home, ".local", "state", "iclaude");
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, "long-lived-token.json"), JSON.stringify({ token: longLived, expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() }), {
      mode: 0o600,
    });
    const run = await token(home);
    expect([run.code, run.stdout]).toEqual([0, `${longLived}\n`]);
  });

  test("a failed refresh still hands out a token that works, with a warning", async () => {
    const { home, pair } = setup(20 * 60_000);
    mock.script(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const run = await token(home);
    expect([run.code, run.stdout]).toEqual([0, `${pair.accessToken}\n`]);
    expect(run.stderr).toMatch(/^iclaude: The refresh failed .+\n$/);
    expectNoSecrets([run.stderr], [pair.accessToken, pair.refreshToken]);
  });

  test("no usable token: refresh's exit code and nothing on stdout", async () => {
    const expired = setup(-HOUR);
    mock.script(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const failed = await token(expired.home);
    expect([failed.code, failed.stdout]).toEqual([21, ""]);
    const none = await token(tempHome());
    expect([none.code, none.stdout]).toEqual([20, ""]);
    expect(none.stderr).toMatch(/^iclaude: There is no Claude login in .+\.\n$/);
  });
});
