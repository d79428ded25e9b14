import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, baseEnv, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  // The old refresh token stays good, so a run killed after the endpoint answered burns nothing and every run can redeem.
  mock = startMockAnthropic({ omitRefreshToken: true });
});
afterEach(() => mock.stop());

const KEPT = { mcpOAuth: { server: { accessToken: "kept", expiresAt: 1 } }, futureKey: { nested: [1, 2] } };

/** A lock left by a killed holder turns stale after 60 s (15 s for the storage lock); age it so the next run need not wait that out. */
function ageLeftoverLocks(home: string): void {
  const past = new Date(Date.now() - 90_000);
  for (const path of [join(home, ".claude", ".oauth_refresh.lock"), join(home, ".claude.lock"), join(home, ".claude", ".storage-write.lock")]) {
    if (existsSync(path)) utimesSync(path, past, past);
  }
}

function checkFile(path: string): void {
  const file = JSON.parse(readFileSync(path, "utf8"));
  const oauth = file.claudeAiOauth;
  expect(typeof oauth.accessToken).toBe("string");
  expect(typeof oauth.refreshToken).toBe("string");
  expect(typeof oauth.expiresAt).toBe("number");
  expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
  expect(file.mcpOAuth).toEqual(KEPT.mcpOAuth);
  expect(file.futureKey).toEqual(KEPT.futureKey);
  expect(statSync(path).mode & 0o777).toBe(0o600);
}

describe("crash safety", () => {
  test("150 runs of refresh --force killed at random moments never leave a broken file or temp files behind", async () => {
    const home = tempHome();
    const path = join(home, ".claude", ".credentials.json");
    writeCredentials(home, { ...mock.issuePair(), expiresAt: Date.now() + 5 * 60_000 }, KEPT);
    const env = baseEnv(home, { ICLAUDE_TOKEN_URL: mock.tokenUrl });
    const run = () =>
      Bun.spawn([BIN, "refresh", "--force", "--no-interactive"], { cwd: home, env, stdin: "ignore", stdout: "ignore", stderr: "ignore", timeout: 30_000 });
    // Kill moments are spread over a whole run as long as it takes on this machine now, so every stage gets hit.
    let window = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      expect(await run().exited).toBe(0);
      window = Math.max(window, performance.now() - started);
    }
    for (let i = 0; i < 150; i++) {
      const proc = run();
      await Bun.sleep(Math.random() * window * 1.2);
      proc.kill("SIGKILL");
      await proc.exited;
      ageLeftoverLocks(home);
      checkFile(path);
      if (existsSync(`${path}.bak`)) expect(statSync(`${path}.bak`).mode & 0o777).toBe(0o600);
    }
    expect(mock.redeemed.length).toBeGreaterThan(3);
    expect(await run().exited).toBe(0);
    checkFile(path);
    expect(readdirSync(join(home, ".claude")).sort()).toEqual([".credentials.json", ".credentials.json.bak"]);
  }, 60_000);
});
