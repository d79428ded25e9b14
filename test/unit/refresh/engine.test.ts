import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { type Config, loadConfig } from "../../../src/base/config.ts";
import type { IclaudeError } from "../../../src/base/errors.ts";
import { isDeadRefreshToken } from "../../../src/credentials/dead-tokens.ts";
import { writeLongLived } from "../../../src/credentials/store/long-lived.ts";
import { refreshIfDue } from "../../../src/refresh/engine.ts";
import { readLastFailure } from "../../../src/refresh/memory.ts";
import { type MockAnthropic, startMockAnthropic } from "../../fixtures/mock-anthropic.ts";
import { DAY, fakeToken, HOUR, tempHome, writeCredentials } from "../../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  delete process.env.CLAUDE_CODE_OAUTH_TOKEN;
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

/** A home whose login the mock knows, `expiresIn` ms from now. */
function setup(expiresIn: number, fields: Record<string, unknown> = {}): { config: Config; path: string; pair: { accessToken: string; refreshToken: string } } {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + expiresIn, ...fields }, { mcpOAuth: { server: { token: "kept" } } });
  const config = loadConfig({}, { HOME: home, ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_STORE: "file" });
  return { config, path: config.credentialsPath, pair };
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as IclaudeError,
  );

describe("refreshIfDue", () => {
  test("refreshes a due token and writes the new pair, keeping other keys", async () => {
    const { config, path, pair } = setup(10 * 60_000);
    const result = await refreshIfDue(config);
    expect(result.outcome).toBe("refreshed");
    expect(result.before.status).toBe("refresh-due");
    expect(result.after.status).toBe("valid");
    const file = read(path);
    expect(file.claudeAiOauth.accessToken).toBe(result.after.accessToken);
    expect(file.claudeAiOauth.refreshToken).not.toBe(pair.refreshToken);
    expect(file.mcpOAuth).toEqual({ server: { token: "kept" } });
    expect(read(`${path}.bak`).claudeAiOauth.accessToken).toBe(pair.accessToken);
  });

  test("leaves a token that is not due alone, unless forced", async () => {
    const { config } = setup(5 * HOUR);
    const sent = mock.requests.length;
    expect((await refreshIfDue(config)).outcome).toBe("not-due");
    expect(mock.requests.length).toBe(sent);
    expect((await refreshIfDue(config, { force: true })).outcome).toBe("refreshed");
    expect(mock.requests.length).toBe(sent + 1);
  });

  test("spends nothing when someone else refreshed while it waited for the lock", async () => {
    const { config, path } = setup(60_000);
    const release = await lock(config.claudeConfigDir, { lockfilePath: join(config.claudeConfigDir, ".oauth_refresh.lock"), realpath: false, stale: 10_000 });
    const sent = mock.requests.length;
    // refreshIfDue reads the credentials before its first await: its `before` is the old pair, and it now waits for the lock.
    const pending = refreshIfDue(config);
    const theirs = mock.issuePair();
    const file = read(path);
    writeFileSync(path, JSON.stringify({ ...file, claudeAiOauth: { ...file.claudeAiOauth, ...theirs, expiresAt: Date.now() + 8 * HOUR } }));
    await release();
    const result = await pending;
    expect(result.outcome).toBe("refreshed-elsewhere");
    expect(mock.requests.length).toBe(sent);
    expect(read(path).claudeAiOauth.accessToken).toBe(theirs.accessToken);
  });

  test("invalid_grant: exit 20, the file untouched, the token remembered and never sent again", async () => {
    const { config, path, pair } = setup(60_000);
    mock.killRefresh(pair.refreshToken);
    const before = readFileSync(path, "utf8");
    const first = await rejection(refreshIfDue(config, { force: true }));
    expect(first?.exitCode).toBe(20);
    expect(first?.message).toContain("invalid_grant");
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(isDeadRefreshToken(config, pair.refreshToken)).toBe(true);
    const sent = mock.requests.length;
    expect((await rejection(refreshIfDue(config, { force: true })))?.exitCode).toBe(20);
    expect(mock.requests.length).toBe(sent);
  });

  test("a dead login with a valid long-lived token stored is not an error", async () => {
    const { config, pair } = setup(60_000);
    mock.killRefresh(pair.refreshToken);
    writeLongLived(config, { token: fakeToken("oat01"), expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() });
    const result = await refreshIfDue(config);
    expect(result.outcome).toBe("not-due");
    expect(result.after.source).toBe("long-lived");
  });

  test("transient failures: exit 21, then exit 22 during the cooldown, even forced; --force's override tries again", async () => {
    const { config, path } = setup(60_000);
    const before = readFileSync(path, "utf8");
    mock.script(...Array.from({ length: 4 }, () => ({ status: 503 })));
    const failed = await rejection(refreshIfDue(config, { deadlineMs: 10_000 }));
    expect(failed?.exitCode).toBe(21);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readLastFailure(config)?.kind).toBe("transient");
    const sent = mock.requests.length;
    expect((await rejection(refreshIfDue(config)))?.exitCode).toBe(22);
    expect(mock.requests.length).toBe(sent);
    expect((await rejection(refreshIfDue(config, { force: true })))?.exitCode).toBe(22);
    expect(mock.requests.length).toBe(sent);
    expect((await refreshIfDue(config, { force: true, overrideCooldown: true })).outcome).toBe("refreshed");
    expect(readLastFailure(config)).toBeNull();
  });

  test("a login past Claude Code's estimate of its end is still refreshed when due", async () => {
    const { config, path } = setup(10 * 60_000, { refreshTokenExpiresAt: Date.now() - DAY });
    expect((await refreshIfDue(config)).outcome).toBe("refreshed");
    expect(read(path).claudeAiOauth.refreshTokenExpiresAt).toBeLessThan(Date.now());
  });

  test("an ended login, no refresh token or no login at all need a person (exit 20)", async () => {
    const ended = setup(-HOUR, { accessToken: "", refreshToken: "", expiresAt: 0 });
    const noRefresh = setup(-HOUR, { refreshToken: null });
    const none = loadConfig({}, { HOME: tempHome(), ICLAUDE_STORE: "file" });
    for (const config of [ended.config, noRefresh.config, none]) {
      expect((await rejection(refreshIfDue(config, { force: true })))?.exitCode).toBe(20);
    }
  });

  test("an expiring login is only a warning without a terminal", async () => {
    const { config } = setup(5 * HOUR, { refreshTokenExpiresAt: Date.now() + 2 * DAY });
    const result = await refreshIfDue(config);
    expect([result.outcome, result.after.status]).toEqual(["not-due", "login-expiring"]);
  });

  test("CLAUDE_CODE_OAUTH_TOKEN in the environment is what claude uses: nothing to refresh", async () => {
    const { config } = setup(60_000);
    process.env.CLAUDE_CODE_OAUTH_TOKEN = fakeToken("oat01");
    try {
      expect((await refreshIfDue(config)).outcome).toBe("not-due");
    } finally {
      delete process.env.CLAUDE_CODE_OAUTH_TOKEN;
    }
  });
});
