import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, baseEnv, DAY, expectNoSecrets, ROOT, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, "utf8").trim().split("\n").filter(Boolean) : []);

/** A real session bus (dbus-daemon) with the stand-in notification service owning org.freedesktop.Notifications on it. */
async function sessionBus(home: string): Promise<{ address: string; calls: string; stop: () => Promise<void> }> {
  const daemon = Bun.spawn(["dbus-daemon", "--session", "--nofork", "--print-address=1"], { env: baseEnv(home), stdout: "pipe", stderr: "ignore" });
  const reader = daemon.stdout.getReader();
  let address = "";
  while (!address.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("dbus-daemon printed no address");
    address += new TextDecoder().decode(value);
  }
  address = address.trim();
  const calls = join(home, "notifications.jsonl");
  const service = Bun.spawn(["python3", join(ROOT, "test/fixtures/notification-service.py"), calls], {
    env: baseEnv(home, { DBUS_SESSION_BUS_ADDRESS: address }),
    stdout: "pipe",
    stderr: "inherit",
  });
  const ready = service.stdout.getReader();
  const first = await ready.read();
  expect(new TextDecoder().decode(first.value)).toBe("ready\n");
  return {
    address,
    calls,
    stop: async () => {
      service.kill();
      daemon.kill();
      await Promise.all([service.exited, daemon.exited]);
    },
  };
}

test("a timer's run with a login ending in 3 days posts one desktop notification and runs the notify command once; none the second time that day", async () => {
  const home = tempHome("iclaude-notify-");
  const content = writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 3 * DAY }) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
  const bus = await sessionBus(home);
  const got = join(home, "notify-command.txt");
  const env = {
    ICLAUDE_TOKEN_URL: mock.tokenUrl,
    ICLAUDE_SCHEDULER: "systemd",
    DBUS_SESSION_BUS_ADDRESS: bus.address,
    ICLAUDE_NOTIFY_COMMAND: `{ printf 'stdin: '; cat; printf 'env: %s\\n' "$ICLAUDE_NOTICE"; } >> '${got}'`,
  };
  const first = await runBin(["refresh", "--background", "--all"], { home, env });
  expect(first.code).toBe(0);
  await waitFor(() => lines(bus.calls).length === 1);
  const call = JSON.parse(lines(bus.calls)[0] ?? "{}") as { app: string; summary: string; body: string };
  expect(call.app).toBe("iclaude");
  expect(call.summary).toBe("iclaude");
  // iclaude is not on the timer's PATH here: the notice names the binary by its path.
  expect(call.body).toBe(`Claude login ends in 2 days 23h — run: '${BIN}' refresh`);
  expect(lines(got)).toEqual([`stdin: ${call.body}`, `env: ${call.body}`]);

  const second = await runBin(["refresh", "--background", "--all"], { home, env });
  expect(second.code).toBe(0);
  expect(lines(bus.calls)).toHaveLength(1);
  expect(lines(got)).toHaveLength(2);
  const log = readFileSync(join(home, ".local", "state", "iclaude", "iclaude.log"), "utf8");
  expect(log).not.toContain("notify:");
  expectNoSecrets(
    [first.stdout, first.stderr, second.stderr, readFileSync(bus.calls, "utf8"), readFileSync(got, "utf8"), log],
    [content.claudeAiOauth.accessToken, content.claudeAiOauth.refreshToken],
  );
  await bus.stop();
});

test("[notify] command in config.toml is run; a failing one is a line in the log and the run still exits 0", async () => {
  const home = tempHome("iclaude-notify-");
  writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 3 * DAY });
  mkdirSync(join(home, ".config", "iclaude"), { recursive: true });
  writeFileSync(join(home, ".config", "iclaude", "config.toml"), `[notify]\ncommand = "cat > notice.txt; echo broken >&2; exit 4"\n`);
  const run = await runBin(["refresh", "--background", "--all"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_SCHEDULER: "cron" } });
  expect(run.code).toBe(0);
  expect(readFileSync(join(home, "notice.txt"), "utf8")).toBe(`Claude login ends in 2 days 23h — run: '${BIN}' refresh\n`);
  const log = readFileSync(join(home, ".local", "state", "iclaude", "iclaude.log"), "utf8");
  expect(log).toMatch(/ notify: ICLAUDE_NOTIFY_COMMAND failed \(exit 4: broken\); the notice stays for the next shell\n/);
});

test("a shell's background run (no scheduler) posts nothing: the prompt shows the notice itself", async () => {
  const home = tempHome("iclaude-notify-");
  writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 3 * DAY });
  const got = join(home, "notify-command.txt");
  const run = await runBin(["refresh", "--background", "--all"], {
    home,
    env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_NOTIFY_COMMAND: `cat >> '${got}'` },
  });
  expect(run.code).toBe(0);
  expect(existsSync(got)).toBe(false);
});
