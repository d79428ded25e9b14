import { afterEach, beforeEach, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { runBin, tempHome, writeCredentials } from "../helpers.ts";

/*
 * A clock that ran fast while iclaude stamped its state: the real `faketime` (Debian package
 * faketime) moves the compiled binary's clock by LD_PRELOAD, so the stamp is written as a user's
 * fast clock would write it, and read back by a run on the true clock.
 */

const FAKETIME = Bun.which("faketime", { PATH: "/usr/bin:/bin" });
if (!FAKETIME) console.warn("state-clock: skipped, faketime is not installed (Debian package faketime).");

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const aDayFast = (argv: string[]): string[] => [FAKETIME ?? "faketime", "-f", "+1d", ...argv];

/** A port nothing listens on: the refresh fails as it does with the network down. */
function closedPort(): string {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}/v1/oauth/token`;
  server.stop(true);
  return url;
}

test.skipIf(!FAKETIME)("a refresh that failed while the clock ran a day fast does not hold the next one back", async () => {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
  const fast = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: closedPort() }, argv: aDayFast });
  expect(fast.code).toBe(21);
  const stamped = JSON.parse(readFileSync(join(home, ".local/state/iclaude/last-failure"), "utf8")).at;
  expect(stamped).toBeGreaterThan(Date.now() + 23 * 3600_000);

  const onTime = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
  expect(onTime.stderr).toBe("");
  expect(onTime.code).toBe(0);
  expect(onTime.stdout).toStartWith("refreshed");
  const next = Number(readFileSync(join(home, ".local/state/iclaude/next-check"), "utf8"));
  expect(next).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
});

test.skipIf(!FAKETIME)("the launcher refreshes before claude starts after a failure stamped a day fast", async () => {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
  const fast = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: closedPort() }, argv: aDayFast });
  expect(fast.code).toBe(21);

  const fake = join(home, "claude");
  writeFileSync(fake, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const launched = await runBin(["-p", "hi"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_CLAUDE_BIN: fake } });
  expect(launched.stderr).toBe("");
  expect(launched.code).toBe(0);
  const oauth = JSON.parse(readFileSync(join(home, ".claude/.credentials.json"), "utf8")).claudeAiOauth;
  expect(oauth.refreshToken).not.toBe(pair.refreshToken);
});
