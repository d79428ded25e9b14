import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { ROOT, runBin, tempHome, writeCredentials } from "../helpers.ts";

const FAKE = join(ROOT, "test/fixtures/fake-claude-launch/claude");
/** A run that hangs is killed long before the test's own timeout, and then fails on its exit code. */
const BOUND = { timeoutMs: 15_000 };

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

function mkfifo(path: string): void {
  if (Bun.spawnSync(["mkfifo", path]).exitCode !== 0) throw new Error("mkfifo failed");
}

/** Things that can sit where the credentials file should be, and the words for what they are. */
const ODD: [string, (path: string) => void, string][] = [
  ["a FIFO", mkfifo, "it is a named pipe, not a regular file"],
  ["a link to /dev/zero", (path) => symlinkSync("/dev/zero", path), "it is a device, not a regular file"],
  ["a link to /dev/urandom", (path) => symlinkSync("/dev/urandom", path), "it is a device, not a regular file"],
  ["a directory", (path) => mkdirSync(path), "it is a directory"],
  ["a 2 MiB file", (path) => writeFileSync(path, `{"claudeAiOauth":{"accessToken":"x","pad":"${"x".repeat(2 * 1024 * 1024)}"}}`), "it is larger than 1 MiB"],
  ["a sparse 1 GB file", (path) => void Bun.spawnSync(["truncate", "-s", "1G", path]), "it is larger than 1 MiB"],
];

function homeWith(make: (path: string) => void): { home: string; path: string } {
  const home = tempHome();
  mkdirSync(join(home, ".claude"), { recursive: true });
  const path = join(home, ".claude", ".credentials.json");
  make(path);
  return { home, path };
}

const env = () => ({ ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args" });

describe("a credentials file that is not a regular file", () => {
  for (const [name, make, words] of ODD) {
    test(`${name}: status, refresh, token and the launcher each end at once with one sentence`, async () => {
      const { home, path } = homeWith(make);
      const sentence = `Cannot read ${path}: ${words}`;
      const status = await runBin(["status"], { home, env: env(), ...BOUND });
      expect(status.code).toBe(14);
      expect(status.stdout).toStartWith(`invalid — ${sentence}`);
      const refresh = await runBin(["refresh"], { home, env: env(), ...BOUND });
      expect(refresh.code).toBe(20);
      expect(refresh.stdout).toBe("");
      expect(refresh.stderr).toStartWith(`iclaude: ${sentence}`);
      const token = await runBin(["token"], { home, env: env(), ...BOUND });
      expect(token.code).toBe(20);
      expect(token.stdout).toBe("");
      const launch = await runBin(["--", "hello"], { home, env: env(), ...BOUND });
      expect([launch.code, launch.stdout]).toEqual([0, "[hello]\noauth=\n"]);
      const background = await runBin(["refresh", "--background"], { home, env: env(), ...BOUND });
      expect([background.code, background.stdout, background.stderr]).toEqual([20, "", ""]);
      expect(mock.requests.length).toBe(0);
    });
  }
});

describe("other files iclaude reads that are not regular files", () => {
  test("a FIFO as the config file: status says so in one sentence (exit 2); the launcher warns and starts claude", async () => {
    const home = tempHome();
    writeCredentials(home);
    const config = join(home, "config.toml");
    mkfifo(config);
    const status = await runBin(["status"], { home, env: { ...env(), ICLAUDE_CONFIG: config }, ...BOUND });
    expect(status).toEqual({ code: 2, stdout: "", stderr: `iclaude: Cannot read the config file ${config}: it is a named pipe, not a regular file.\n` });
    const launch = await runBin(["--", "hello"], { home, env: { ...env(), ICLAUDE_CONFIG: config }, ...BOUND });
    expect([launch.code, launch.stdout]).toEqual([0, "[hello]\noauth=\n"]);
    expect(launch.stderr).toContain("Starting claude without checking the login.");
  });

  test("FIFOs and /dev/zero among the state files are ignored, never waited on", async () => {
    const home = tempHome();
    writeCredentials(home, { refreshToken: null, expiresAt: Date.now() - 1000 });
    const state = join(home, ".local/state/iclaude");
    mkdirSync(state, { recursive: true, mode: 0o700 });
    mkfifo(join(state, "long-lived-token.json"));
    mkfifo(join(state, "last-failure"));
    symlinkSync("/dev/zero", join(state, "dead-refresh-tokens"));
    const status = await runBin(["status", "--json"], { home, env: env(), ...BOUND });
    expect([status.code, JSON.parse(status.stdout).store]).toEqual([12, "file"]);
    const launch = await runBin(["--", "hello"], { home, env: env(), ...BOUND });
    expect([launch.code, launch.stdout]).toEqual([0, "[hello]\noauth=\n"]);
  });
});
