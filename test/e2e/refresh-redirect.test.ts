import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { expectNoSecrets, runBin, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
/** Where a redirect points: it must never see a request. */
let elsewhere: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
  elsewhere = startMockAnthropic();
});
afterEach(async () => {
  await mock.stop();
  await elsewhere.stop();
});

function due() {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 }, { mcpOAuth: { kept: true } });
  const path = join(home, ".claude", ".credentials.json");
  return { home, pair, path, before: readFileSync(path) };
}

describe("a token endpoint that answers with a redirect", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    for (const [where, location] of [
      ["another host", () => elsewhere.tokenUrl],
      ["the same path", () => "/v1/oauth/token?again=1"],
    ] as const) {
      test(`${status} to ${where}: exit 21 in one sentence, nothing sent on, nothing written`, async () => {
        const h = due();
        mock.script({ status, headers: { location: location() } });
        const sent = mock.requests.length;
        const run = await runBin(["refresh"], { home: h.home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
        expect(run.code).toBe(21);
        expect(run.stdout).toBe("");
        expect(run.stderr).toBe(
          `iclaude: The token endpoint answered with a redirect (HTTP ${status}); iclaude never sends a refresh token on to another address, so nothing was sent there and the old login was kept — check ICLAUDE_TOKEN_URL.\n`,
        );
        expect(mock.requests.length).toBe(sent + 1);
        expect([elsewhere.requests.length, elsewhere.others.length, elsewhere.messages.length]).toEqual([0, 0, 0]);
        expect(readFileSync(h.path)).toEqual(h.before);
        expect(existsSync(`${h.path}.bak`)).toBe(false);
        expectNoSecrets([run.stdout, run.stderr], [h.pair.accessToken, h.pair.refreshToken]);
      });
    }
  }

  test("is final: not retried within the run, and the cooldown holds the next automatic try", async () => {
    const h = due();
    mock.script({ status: 307, headers: { location: elsewhere.tokenUrl } }, { status: 307, headers: { location: elsewhere.tokenUrl } });
    const sent = mock.requests.length;
    const first = await runBin(["refresh"], { home: h.home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    const second = await runBin(["refresh"], { home: h.home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect([first.code, second.code]).toEqual([21, 22]);
    expect(mock.requests.length).toBe(sent + 1);
    expect(elsewhere.requests.length).toBe(0);
    expect(readFileSync(h.path)).toEqual(h.before);
  });
});

describe("refresh --background prints nothing, whatever goes wrong", () => {
  const cases: [string, (h: ReturnType<typeof due>) => Record<string, string>][] = [
    [
      "invalid_grant",
      (h) => {
        mock.killRefresh(h.pair.refreshToken);
        return {};
      },
    ],
    [
      "a redirect",
      () => {
        mock.script({ status: 308, headers: { location: elsewhere.tokenUrl } });
        return {};
      },
    ],
    [
      "a refused client",
      () => {
        mock.script({ status: 401, json: { error: "invalid_client" } });
        return {};
      },
    ],
    [
      "an answer that is not JSON",
      () => {
        mock.script({ status: 200, body: "<html>portal</html>" });
        return {};
      },
    ],
    ["no login at all", () => ({ CLAUDE_CONFIG_DIR: "/nonexistent/claude" })],
    ["a broken setting", () => ({ ICLAUDE_THRESHOLD: "7days" })],
  ];
  for (const [name, arrange] of cases) {
    test(`${name}: no byte on stdout or stderr; the state log has the line`, async () => {
      const h = due();
      const env = { ICLAUDE_TOKEN_URL: mock.tokenUrl, ...arrange(h) };
      const run = await runBin(["refresh", "--background"], { home: h.home, env });
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe("");
      const log = join(h.home, ".local/state/iclaude/iclaude.log");
      if (name !== "a broken setting") expect(readFileSync(log, "utf8")).toMatch(/refresh: failed \(exit \d+\) /);
      expect(elsewhere.requests.length).toBe(0);
    });
  }
});
