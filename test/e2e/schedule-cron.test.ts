import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { createTestUser, type TestUser, testUserUnavailable } from "../fixtures/test-user.ts";
import { BIN, expectNoSecrets, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/*
 * The real Debian cron daemon runs the line `iclaude schedule install --cron`
 * put in a throw-away user's crontab (never root's). ICLAUDE_CRON_SCHEDULE
 * makes it every minute, so a run comes within about 61 s.
 */

const CRON = Bun.which("cron", { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" });
const unavailable = testUserUnavailable() ?? (CRON ? null : "the cron daemon is not installed (Debian package cron)");
if (unavailable) console.warn(`schedule-cron: skipped, ${unavailable}.`);

const OWN_LINES = 'MAILTO=""\n# the user\'s own job, which iclaude must keep byte for byte\n5 4 * * * echo "mine" >/dev/null\n';

let mock: MockAnthropic;
let user: TestUser;
let daemon: ReturnType<typeof Bun.spawn> | null = null;

beforeAll(() => {
  if (unavailable) return;
  mock = startMockAnthropic();
  user = createTestUser(tempHome("iclaude-cron-"));
});

afterAll(async () => {
  if (unavailable) return;
  daemon?.kill();
  await daemon?.exited;
  user.remove();
  await mock.stop();
});

function asUser(args: string[], env: Record<string, string> = {}, stdin?: string) {
  const proc = Bun.spawnSync(user.as(args), {
    cwd: user.home,
    env: { HOME: user.home, USER: user.name, LOGNAME: user.name, PATH: "/usr/bin:/bin", NO_COLOR: "1", ...env },
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const crontab = () => asUser(["crontab", "-l"]).stdout;

describe.skipIf(unavailable !== null)("schedule --cron, with the real cron daemon", () => {
  // Slow by design: cron starts a line only when a minute begins, up to 60 s of the real clock that no setting shortens.
  test("one marked line among the user's own, installed once; cron runs it and it refreshes; remove leaves the rest", async () => {
    const pair = mock.issuePair();
    writeCredentials(user.home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
    mkdirSync(join(user.home, ".config", "iclaude"), { recursive: true });
    writeFileSync(join(user.home, ".config", "iclaude", "config.toml"), `token_url = "${mock.tokenUrl}"\n`);
    user.chownHome();
    expect(asUser(["crontab", "-"], {}, OWN_LINES).code).toBe(0);
    expect(crontab()).toBe(OWN_LINES);

    const every = { ICLAUDE_CRON_SCHEDULE: "* * * * *" };
    const first = asUser([BIN, "schedule", "install", "--cron"], every);
    expect([first.code, first.stdout, first.stderr]).toEqual([0, "cron: added the line in your crontab (see `crontab -l`)\n", ""]);
    const installed = crontab();
    expect(installed).toBe(
      `${OWN_LINES}# >>> iclaude schedule >>>\n* * * * * ICLAUDE_SCHEDULER=cron '${BIN}' refresh --background --all\n# <<< iclaude schedule <<<\n`,
    );
    expect(asUser([BIN, "schedule", "install", "--cron"], every).stdout).toBe("cron: the crontab line is already installed\n");
    expect(crontab()).toBe(installed);

    // Started only now, so that it reads the finished crontab as it starts. cron reads the crontabs again
    // only when the spool dir's mtime, in whole seconds, differs from the one it last saw: started
    // before, it could read the user's own lines and then miss iclaude's, written in the same second.
    // Should the machine's own daemon be running, this one exits at once (its pid file is taken).
    daemon = Bun.spawn([CRON ?? "cron", "-f"], { stdout: "ignore", stderr: "ignore" });

    // The run's log line is the last thing it writes.
    const logFile = join(user.home, ".local", "state", "iclaude", "iclaude.log");
    const logged = new RegExp(`^\\S+Z refresh \\(cron\\) ${join(user.home, ".claude")}: refreshed — access token valid `, "m");
    await waitFor(() => existsSync(logFile) && logged.test(readFileSync(logFile, "utf8")), 100_000, "cron to run the line and the run to log a refresh");
    const oauth = JSON.parse(readFileSync(join(user.home, ".claude", ".credentials.json"), "utf8")).claudeAiOauth;
    expect(oauth.refreshToken).not.toBe(pair.refreshToken);
    expect(mock.redeemed.filter((t) => t === pair.refreshToken)).toHaveLength(1);
    const log = readFileSync(logFile, "utf8");

    const status = asUser([BIN, "schedule", "status", "--cron"]);
    expect(status.stdout).toMatch(
      /^cron: installed \(crontab\) — \* \* \* \* \* ICLAUDE_SCHEDULER=cron .+\n {2}last ran \S+Z \(.+ ago\):\n {4}.+: (refreshed|nothing due) — /,
    );

    const removed = asUser([BIN, "schedule", "remove", "--cron"]);
    expect(removed.stdout).toBe("cron: removed the line from your crontab\n");
    expect(crontab()).toBe(OWN_LINES);
    expectNoSecrets(
      [first.stdout, first.stderr, status.stdout, status.stderr, log],
      [pair.accessToken, pair.refreshToken, oauth.accessToken, oauth.refreshToken],
    );
  }, 150_000);
});
