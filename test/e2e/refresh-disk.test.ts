import { afterAll, afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { expectNoSecrets, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/** A 64 KiB file system of its own, to be filled up: needs root (CI and this machine run as root). */
const disk = mkdtempSync(join(tmpdir(), "iclaude-disk-"));
const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", disk], { stderr: "ignore" }).exitCode === 0;

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());
afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", disk]);
  rmSync(disk, { recursive: true, force: true });
});

/** Writes filler until the file system refuses another byte. */
function fill(dir: string): void {
  const block = Buffer.alloc(1024, 120);
  for (let i = 0; i < 1024; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), block, { flag: "wx" });
    } catch {
      return;
    }
  }
  throw new Error("the small file system never filled up");
}

test.skipIf(!mounted)("a full disk: exit 21 with the reason, nothing sent, the credentials untouched", async () => {
  const home = tempHome();
  const config = join(disk, "claude");
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 }, { mcpOAuth: { kept: true } }, config);
  const before = readFileSync(join(config, ".credentials.json"), "utf8");
  fill(disk);
  const sent = mock.requests.length;
  const run = await runBin(["refresh"], { home, env: { CLAUDE_CONFIG_DIR: config, ICLAUDE_TOKEN_URL: mock.tokenUrl } });
  expect(run.code).toBe(21);
  expect(run.stdout).toBe("");
  expect(run.stderr).toBe(
    `iclaude: Cannot write in ${config} (no space left on the device); nothing was sent and the login is unchanged — free some space or fix its permissions.\n`,
  );
  expect(mock.requests.length).toBe(sent);
  expect(readFileSync(join(config, ".credentials.json"), "utf8")).toBe(before);
  expectNoSecrets([run.stdout, run.stderr], [pair.accessToken, pair.refreshToken]);
});

test.skipIf(!mounted)("the disk filling up while the answer is on its way costs nothing: the space was had before the send", async () => {
  rmSync(join(disk, "claude"), { recursive: true, force: true });
  for (let i = 0; i < 1024; i++) rmSync(join(disk, `filler-${i}`), { force: true });
  const home = tempHome();
  const config = join(disk, "claude");
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 }, { mcpOAuth: { kept: true } }, config);
  const before = readFileSync(join(config, ".credentials.json"));
  const answer = Promise.withResolvers<void>();
  mock.script({ hold: answer.promise });
  const sent = mock.requests.length;
  const running = runBin(["refresh"], { home, env: { CLAUDE_CONFIG_DIR: config, ICLAUDE_TOKEN_URL: mock.tokenUrl }, timeoutMs: 30_000 });
  await waitFor(() => mock.requests.length > sent);
  fill(disk);
  answer.resolve();
  const run = await running;
  expect(run.code).toBe(0);
  expect(run.stderr).toBe("");
  const oauth = JSON.parse(readFileSync(join(config, ".credentials.json"), "utf8")).claudeAiOauth;
  expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
  expect(readFileSync(join(config, ".credentials.json.bak")).equals(before)).toBe(true);
  expect(readdirSync(config).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  expectNoSecrets([run.stdout, run.stderr], [pair.accessToken, pair.refreshToken, oauth.accessToken, oauth.refreshToken]);
});
