import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { startMockAnthropic, type MockAnthropic } from "../fixtures/mock-anthropic.ts";
import { baseEnv, BIN, expectNoSecrets, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeAll(() => {
  mock = startMockAnthropic();
});
afterAll(() => mock.stop());

function start(home: string): { done: Promise<{ code: number; out: string }> } {
  const proc = Bun.spawn([BIN, "refresh"], { cwd: home, env: baseEnv(home, { ICLAUDE_TOKEN_URL: mock.tokenUrl }), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 50_000);
  const done = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]).then(([stdout, stderr, code]) => {
    clearTimeout(timer);
    return { code, out: stdout + stderr };
  });
  return { done };
}

describe("concurrent refreshes", () => {
  test("30 processes started together on a due token redeem it exactly once, and all succeed", async () => {
    const home = tempHome();
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 5 * 60_000 });
    const runs = await Promise.all(Array.from({ length: 30 }, () => start(home).done));
    expect(runs.map((r) => r.code)).toEqual(Array(30).fill(0));
    expect(mock.redeemed.filter((t) => t === pair.refreshToken)).toHaveLength(1);
    expect(mock.requests.filter((r) => r.body?.refresh_token === pair.refreshToken)).toHaveLength(1);
    const oauth = JSON.parse(readFileSync(join(home, ".claude", ".credentials.json"), "utf8")).claudeAiOauth;
    expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
    expect(mock.redeemed).not.toContain(oauth.refreshToken);
    const outcomes = runs.map((r) => r.out.split(" — ")[0]);
    expect(outcomes.filter((o) => o === "refreshed")).toHaveLength(1);
    expectNoSecrets(runs.map((r) => r.out), [pair.accessToken, pair.refreshToken, oauth.accessToken, oauth.refreshToken]);
  }, 55_000);

  test("a lock held fresh at .oauth_refresh.lock, as Claude Code holds it, keeps every iclaude off the endpoint until released", async () => {
    const home = tempHome();
    const dir = join(home, ".claude");
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 5 * 60_000 });
    // update: the holder refreshes the lock's mtime, so it never turns stale while held.
    const release = await lock(dir, { lockfilePath: join(dir, ".oauth_refresh.lock"), realpath: false, stale: 10_000, update: 1000 });
    const sent = mock.requests.length;
    const runs = Array.from({ length: 5 }, () => start(home).done);
    await Bun.sleep(12_000);
    expect(mock.requests.length).toBe(sent);
    await release();
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual(Array(5).fill(0));
    expect(mock.requests.length).toBe(sent + 1);
  }, 40_000);
});
