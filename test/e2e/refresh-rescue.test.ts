import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { defined, expectNoSecrets, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

/** An immutable file cannot be renamed over, even by root: the one write iclaude cannot foresee. Needs root and a file system with attributes. */
const chattr = (flag: "+i" | "-i", path: string): boolean => Bun.spawnSync(["chattr", flag, path], { stderr: "ignore" }).exitCode === 0;
const probe = join(tempHome(), "probe");
writeFileSync(probe, "");
const immutable = chattr("+i", probe) && chattr("-i", probe);

/** Makes the write of the answer fail: the credentials turn immutable once the request has reached the endpoint. */
async function refreshFailingAfterTheSend(home: string, path: string): Promise<Awaited<ReturnType<typeof runBin>>> {
  const answer = Promise.withResolvers<void>();
  mock.script({ hold: answer.promise });
  const sent = mock.requests.length;
  const running = runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, timeoutMs: 30_000 });
  await waitFor(() => mock.requests.length > sent);
  chattr("+i", path);
  answer.resolve();
  const run = await running;
  chattr("-i", path);
  return run;
}

/** The rescue file of the one store that has one: `rescued-login-<store fingerprint>.json`. */
function rescueFile(home: string): string {
  const dir = join(home, ".local/state/iclaude");
  const names = readdirSync(dir).filter((name) => /^rescued-login-[0-9a-f]{16}\.json$/.test(name));
  expect(names.length).toBe(1);
  return join(dir, defined(names[0]));
}

test.skipIf(!immutable)(
  "a write that fails after the send keeps the new pair in the state dir; the next run puts it in place",
  async () => {
    const home = tempHome();
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 }, { mcpOAuth: { kept: true } });
    const path = join(home, ".claude", ".credentials.json");
    const before = readFileSync(path);
    const options = { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, timeoutMs: 30_000 };
    const failed = await refreshFailingAfterTheSend(home, path);

    const rescue = rescueFile(home);
    expect(failed.code).toBe(21);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toBe(
      `iclaude: The new login could not be written to ${path} (permission denied); it is kept in ${rescue} and put in place at the next iclaude run — free some space or fix the permissions.\n`,
    );
    expect(mock.redeemed.at(-1)).toBe(pair.refreshToken);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(rescue).mode & 0o777).toBe(0o600);
    const rescued = JSON.parse(readFileSync(rescue, "utf8"));
    expect(mock.isAccessValid(rescued.accessToken)).toBe(true);

    const status = await runBin(["status", "--json"], options);
    expect([status.code, JSON.parse(status.stdout).status, JSON.parse(status.stdout).action]).toEqual([0, "valid", "refresh"]);
    expect(JSON.parse(status.stdout).expiresAt).toBe(rescued.expiresAt);

    const redeemed = mock.redeemed.length;
    const adopted = await runBin(["refresh"], options);
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/^put in place the new login a failed write had kept — access token valid/);
    expect(mock.redeemed.length).toBe(redeemed);
    const oauth = JSON.parse(readFileSync(path, "utf8")).claudeAiOauth;
    expect([oauth.accessToken, oauth.refreshToken, oauth.expiresAt]).toEqual([rescued.accessToken, rescued.refreshToken, rescued.expiresAt]);
    expect(JSON.parse(readFileSync(path, "utf8")).mcpOAuth).toEqual({ kept: true });
    expect(existsSync(rescue)).toBe(false);

    const next = await runBin(["refresh", "--force"], options);
    expect(next.code).toBe(0);
    expect(mock.redeemed.at(-1)).toBe(rescued.refreshToken);
    expectNoSecrets(
      [failed, status, adopted, next].flatMap((r) => [r.stdout, r.stderr]),
      [pair.accessToken, pair.refreshToken, rescued.accessToken, rescued.refreshToken],
    );
  },
  30_000,
);

test.skipIf(!immutable)(
  "a rescued pair for a refresh token the file no longer holds (a new login) is ignored",
  async () => {
    const home = tempHome();
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
    const options = { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, timeoutMs: 30_000 };
    expect((await refreshFailingAfterTheSend(home, join(home, ".claude", ".credentials.json"))).code).toBe(21);
    const login = mock.issuePair();
    writeCredentials(home, { ...login, expiresAt: Date.now() + 5 * 3600_000 });
    const status = await runBin(["status", "--json"], options);
    expect([status.code, JSON.parse(status.stdout).action]).toEqual([0, "none"]);
    const token = await runBin(["token"], options);
    expect(token.stdout).toBe(`${login.accessToken}\n`);
  },
  30_000,
);

test.skipIf(!immutable)(
  "another profile's refresh leaves a rescued pair alone: each store has its own",
  async () => {
    const home = tempHome();
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
    const path = join(home, ".claude", ".credentials.json");
    expect((await refreshFailingAfterTheSend(home, path)).code).toBe(21);
    const rescue = rescueFile(home);
    const rescued = JSON.parse(readFileSync(rescue, "utf8"));

    const work = join(home, "work");
    writeCredentials(home, { ...mock.issuePair(), expiresAt: Date.now() + 10 * 60_000 }, {}, work);
    const other = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, CLAUDE_CONFIG_DIR: work }, timeoutMs: 30_000 });
    expect(other.code).toBe(0);
    expect(existsSync(rescue)).toBe(true);

    const redeemed = mock.redeemed.length;
    const adopted = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, timeoutMs: 30_000 });
    expect([adopted.code, mock.redeemed.length]).toEqual([0, redeemed]);
    expect(JSON.parse(readFileSync(path, "utf8")).claudeAiOauth.refreshToken).toBe(rescued.refreshToken);
  },
  30_000,
);

test.skipIf(!immutable)(
  "a file Claude Code blanked after the spent token was refused takes the rescued pair",
  async () => {
    const home = tempHome();
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 }, { mcpOAuth: { kept: true } });
    const path = join(home, ".claude", ".credentials.json");
    expect((await refreshFailingAfterTheSend(home, path)).code).toBe(21);
    const rescued = JSON.parse(readFileSync(rescueFile(home), "utf8"));
    writeCredentials(home, { accessToken: "", refreshToken: "", expiresAt: 0 }, { mcpOAuth: { kept: true } });
    const options = { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, timeoutMs: 30_000 };

    const status = await runBin(["status", "--json"], options);
    expect([status.code, JSON.parse(status.stdout).action]).toEqual([0, "refresh"]);
    const adopted = await runBin(["refresh"], options);
    expect(adopted.code).toBe(0);
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect([file.claudeAiOauth.accessToken, file.claudeAiOauth.refreshToken]).toEqual([rescued.accessToken, rescued.refreshToken]);
    expect(file.mcpOAuth).toEqual({ kept: true });
    expectNoSecrets(
      [status, adopted].flatMap((r) => [r.stdout, r.stderr]),
      [pair.refreshToken, rescued.refreshToken],
    );
  },
  30_000,
);
