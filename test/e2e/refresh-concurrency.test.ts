import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { expectNoSecrets, startBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

describe("concurrent refreshes", () => {
  test("30 processes started together on a due token redeem it exactly once, and all succeed", async () => {
    const home = tempHome();
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 5 * 60_000 });
    const runs = (await Promise.all(Array.from({ length: 30 }, () => startBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } }).done))).map(
      (r) => ({ code: r.code, out: r.stdout + r.stderr }),
    );
    expect(runs.map((r) => r.code)).toEqual(Array(30).fill(0));
    expect(mock.redeemed.filter((t) => t === pair.refreshToken)).toHaveLength(1);
    expect(mock.requests.filter((r) => r.body?.refresh_token === pair.refreshToken)).toHaveLength(1);
    const oauth = JSON.parse(readFileSync(join(home, ".claude", ".credentials.json"), "utf8")).claudeAiOauth;
    expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
    expect(mock.redeemed).not.toContain(oauth.refreshToken);
    const outcomes = runs.map((r) => r.out.split(" — ")[0]);
    expect(outcomes.filter((o) => o === "refreshed")).toHaveLength(1);
    expectNoSecrets(
      runs.map((r) => r.out),
      [pair.accessToken, pair.refreshToken, oauth.accessToken, oauth.refreshToken],
    );
  });

  test("a lock held fresh at .oauth_refresh.lock, as Claude Code holds it, keeps every iclaude off the endpoint until released", async () => {
    const home = tempHome();
    const dir = join(home, ".claude");
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 5 * 60_000 });
    const release = await lock(dir, { lockfilePath: join(dir, ".oauth_refresh.lock"), realpath: false, stale: 60_000, update: 5_000 });
    const runs = Array.from({ length: 5 }, () => startBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_DEBUG: "1" } }));
    await waitFor(() => runs.every((run) => run.stderr().includes("another refresh holds Claude Code's refresh lock")));
    expect(mock.requests).toHaveLength(0);
    await release();
    const results = await Promise.all(runs.map((run) => run.done));
    expect(results.map((r) => r.code)).toEqual(Array(5).fill(0));
    expect(mock.requests).toHaveLength(1);
  });
});
