import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { expectNoSecrets, HOUR, ROOT, runBin, tempHome, writeCredentials } from "../helpers.ts";

const FAKE = join(ROOT, "test/fixtures/fake-claude-launch/claude");

/** strace, where the machine lets a process trace its children: the kernel counts the opens, not a clock. */
const canTrace = Bun.spawnSync(["strace", "-f", "-qq", "-o", "/dev/null", "true"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;

/** The successful opens of `path` by any process of the run, as strace logged them (the stand-in claude opens none). */
function opensOf(log: string, path: string): number {
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line.includes(`"${path}"`) && !/= -1 /.test(line)).length;
}

describe.skipIf(!canTrace)("what a launch reads", () => {
  test("a login with nothing due: the credentials are read once, and next-check follows the verdict", async () => {
    const home = tempHome("iclaude-reads-");
    const content = writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR }) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
    const log = join(home, "strace.log");
    const run = await runBin(["-p", "hi"], {
      home,
      env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args" },
      argv: (argv) => ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", log, ...argv],
    });
    expect(run).toEqual({ code: 0, stdout: "[-p]\n[hi]\noauth=\n", stderr: "" });
    expect(opensOf(log, join(home, ".claude", ".credentials.json"))).toBe(1);
    const next = Number(readFileSync(join(home, ".local", "state", "iclaude", "next-check"), "utf8"));
    expect(next).toBeGreaterThan(Date.now() / 1000);
    expectNoSecrets([run.stdout, run.stderr], [content.claudeAiOauth.accessToken, content.claudeAiOauth.refreshToken]);
  });

  test("the launches after it start claude on that verdict, reading no credentials, until the login changes", async () => {
    const home = tempHome("iclaude-reads-");
    const env = { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args" };
    const credentials = join(home, ".claude", ".credentials.json");
    const traced = async (log: string) => {
      const run = await runBin(["-p", "hi"], { home, env, argv: (argv) => ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", log, ...argv] });
      expect(run).toEqual({ code: 0, stdout: "[-p]\n[hi]\noauth=\n", stderr: "" });
      return opensOf(log, credentials);
    };
    writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR });
    expect(await traced(join(home, "first.log"))).toBe(1);
    expect(await traced(join(home, "second.log"))).toBe(0);
    // A new login (here: a file written after next-check) is looked at by the next launch.
    writeCredentials(home, { expiresAt: Date.now() + 6 * HOUR });
    expect(await traced(join(home, "third.log"))).toBe(1);
    expect(await traced(join(home, "fourth.log"))).toBe(0);
  });

  test("a due login: read to decide, again under Claude Code's locks, and once more to save by compare-and-swap", async () => {
    const mock = startMockAnthropic();
    try {
      const home = tempHome("iclaude-reads-");
      const pair = mock.issuePair();
      writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
      const log = join(home, "strace.log");
      const run = await runBin(["-p", "hi"], {
        home,
        env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args", ICLAUDE_TOKEN_URL: mock.tokenUrl },
        argv: (argv) => ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", log, ...argv],
      });
      expect(run).toEqual({ code: 0, stdout: "[-p]\n[hi]\noauth=\n", stderr: "" });
      expect(mock.redeemed).toEqual([pair.refreshToken]);
      // The backup is made of what the last read found, and the new login is judged as written.
      expect(opensOf(log, join(home, ".claude", ".credentials.json"))).toBe(3);
      expect(JSON.parse(readFileSync(join(home, ".claude", ".credentials.json.bak"), "utf8")).claudeAiOauth.refreshToken).toBe(pair.refreshToken);
      expect(existsSync(join(home, ".local", "state", "iclaude", "next-check"))).toBe(true);
      expectNoSecrets([run.stdout, run.stderr], [pair.accessToken, pair.refreshToken]);
    } finally {
      await mock.stop();
    }
  });
});
