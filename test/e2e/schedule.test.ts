import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeSystemctl } from "../fixtures/fake-systemctl.ts";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { expectNoSecrets, linkBinary, type Run, runBin, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

/** A home whose iclaude binary sits at a path with a space and an ampersand, to prove every unit quotes it. */
function homeWithBinary(): { home: string; bin: string } {
  const home = tempHome();
  const bin = linkBinary(join(home, "my bin & co", "iclaude"));
  return { home, bin };
}

/** The binary run from a copy, as a person would run their installed iclaude. */
function schedule(home: string, bin: string, args: string[], env: Record<string, string> = {}): Run {
  const proc = Bun.spawnSync([bin, "schedule", ...args], {
    cwd: home,
    env: { HOME: home, PATH: "/usr/local/bin:/usr/bin:/bin", USER: "tester", NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: proc.exitCode ?? 1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

/** ExecStart's first word as systemd reads it: double-quoted, `%%` doubled (no `$` is expanded in an executable's name). */
function execStart(service: string): string[] {
  const line = /^ExecStart=(.*)$/m.exec(service)?.[1] ?? "";
  const quoted = /^"((?:[^"\\]|\\.)*)" (.*)$/.exec(line);
  if (!quoted) throw new Error(`ExecStart not understood: ${line}`);
  const first = (quoted[1] ?? "").replaceAll("%%", "%");
  return [first, ...(quoted[2] ?? "").split(" ")];
}

const environmentOf = (service: string): Record<string, string> =>
  Object.fromEntries([...service.matchAll(/^Environment=([^=\s]+)=(\S*)$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]));

/** A due login in ~/.claude, and the token endpoint named in config.toml: a timer's run has no other environment. */
function dueLogin(home: string) {
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
  mkdirSync(join(home, ".config", "iclaude"), { recursive: true });
  writeFileSync(join(home, ".config", "iclaude", "config.toml"), `token_url = "${mock.tokenUrl}"\n`);
  return pair;
}

const oauthOf = (home: string) => JSON.parse(readFileSync(join(home, ".claude", ".credentials.json"), "utf8")).claudeAiOauth;

describe("schedule --systemd", () => {
  const unitDir = (home: string) => join(home, ".config", "systemd", "user");

  test("writes the service and the timer, idempotently; systemd-analyze verify accepts them; remove takes out only them", () => {
    const { home, bin } = homeWithBinary();
    const first = schedule(home, bin, ["install", "--systemd"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`systemd: wrote ${join(unitDir(home), "iclaude-refresh.service")} and iclaude-refresh.timer\n`);
    expect(first.stdout).toContain("systemctl --user daemon-reload && systemctl --user enable --now iclaude-refresh.timer");
    const service = readFileSync(join(unitDir(home), "iclaude-refresh.service"), "utf8");
    const timer = readFileSync(join(unitDir(home), "iclaude-refresh.timer"), "utf8");
    expect(service).toContain("Type=oneshot\n");
    expect(execStart(service)).toEqual([bin, "refresh", "--background", "--all"]);
    expect(timer).toMatch(/^OnCalendar=hourly$/m);
    expect(timer).toMatch(/^Persistent=true$/m);
    expect(timer).toMatch(/^RandomizedDelaySec=/m);
    expect(timer).toMatch(/^OnStartupSec=/m);
    const mtime = statSync(join(unitDir(home), "iclaude-refresh.timer")).mtimeMs;

    const second = schedule(home, bin, ["install", "--systemd"]);
    expect(second.stdout).toContain("already installed");
    expect(readFileSync(join(unitDir(home), "iclaude-refresh.service"), "utf8")).toBe(service);
    expect(statSync(join(unitDir(home), "iclaude-refresh.timer")).mtimeMs).toBe(mtime);

    const runtime = join(home, "run");
    mkdirSync(runtime, { mode: 0o700 });
    const verify = Bun.spawnSync(
      ["systemd-analyze", "--user", "verify", join(unitDir(home), "iclaude-refresh.service"), join(unitDir(home), "iclaude-refresh.timer")],
      {
        env: { HOME: home, PATH: "/usr/bin:/bin", XDG_RUNTIME_DIR: runtime },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    expect([verify.exitCode, verify.stderr.toString()]).toEqual([0, ""]);

    writeFileSync(join(unitDir(home), "other.service"), "[Service]\nExecStart=/bin/true\n");
    const removed = schedule(home, bin, ["remove", "--systemd"]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe(
      `systemd: removed ${join(unitDir(home), "iclaude-refresh.service")}\nsystemd: removed ${join(unitDir(home), "iclaude-refresh.timer")}\n`,
    );
    expect(readFileSync(join(unitDir(home), "other.service"), "utf8")).toContain("/bin/true");
    expect(schedule(home, bin, ["remove", "--systemd"]).stdout).toBe("no schedule of iclaude's was installed\n");
  });

  test("a unit of that name iclaude did not write is neither replaced nor removed", () => {
    const { home, bin } = homeWithBinary();
    mkdirSync(unitDir(home), { recursive: true });
    writeFileSync(join(unitDir(home), "iclaude-refresh.timer"), "[Timer]\nOnCalendar=daily\n");
    const run = schedule(home, bin, ["install", "--systemd"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `iclaude: ${join(unitDir(home), "iclaude-refresh.timer")} exists and was not written by iclaude; move it away and run \`iclaude schedule install\` again.\n`,
    );
    expect(schedule(home, bin, ["remove", "--systemd"]).stdout).toContain("left");
    expect(readFileSync(join(unitDir(home), "iclaude-refresh.timer"), "utf8")).toBe("[Timer]\nOnCalendar=daily\n");
  });

  test("with a user manager to talk to, install reloads and enables the timer once, and remove disables it", () => {
    const { home, bin } = homeWithBinary();
    const { env, calls, callsSince } = fakeSystemctl(home, "iclaude-refresh.timer");
    const first = schedule(home, bin, ["install", "--systemd"], env);
    expect(first.stdout).toContain("systemd: iclaude-refresh.timer enabled and started\n");
    expect(first.stdout).toContain("loginctl enable-linger tester");
    expect(callsSince(0)).toEqual(["--user daemon-reload", "--user enable --now iclaude-refresh.timer"]);
    const seen = calls();
    schedule(home, bin, ["install", "--systemd"], env);
    expect(callsSince(seen)).toEqual(["--user is-enabled --quiet iclaude-refresh.timer"]);
    expect(schedule(home, bin, ["status", "--systemd"], env).stdout).toMatch(/^systemd: installed \(.+iclaude-refresh\.timer\) — timer active\n/);
    const before = calls();
    schedule(home, bin, ["remove", "--systemd"], env);
    expect(callsSince(before)).toEqual(["--user disable --now iclaude-refresh.timer", "--user daemon-reload"]);
  });

  test("the service's ExecStart, run as systemd runs it (no terminal, nothing but HOME), refreshes and prints nothing; status reports the run", async () => {
    const { home, bin } = homeWithBinary();
    const pair = dueLogin(home);
    schedule(home, bin, ["install", "--systemd"]);
    const service = readFileSync(join(unitDir(home), "iclaude-refresh.service"), "utf8");
    const proc = Bun.spawn(execStart(service), { cwd: "/", env: { HOME: home, ...environmentOf(service) }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect([code, stdout, stderr]).toEqual([0, "", ""]);
    const oauth = oauthOf(home);
    expect(mock.redeemed.filter((t) => t === pair.refreshToken)).toHaveLength(1);
    expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
    const status = schedule(home, bin, ["status", "--systemd"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(
        `^systemd: installed \\(${join(unitDir(home), "iclaude-refresh.timer")}\\) — .+\\n  last ran \\S+Z \\(\\d+s ago\\):\\n    ${join(home, ".claude")}: refreshed — access token valid `,
      ),
    );
    const state = join(home, ".local", "state", "iclaude");
    const log = readFileSync(join(state, "iclaude.log"), "utf8");
    const record = readFileSync(join(state, "last-run-systemd.json"), "utf8");
    expectNoSecrets([stdout, stderr, status.stdout, status.stderr, log, record], [pair.accessToken, pair.refreshToken, oauth.accessToken, oauth.refreshToken]);
    // A record damaged, or stamped ahead of the clock, is no run: status says so rather than trusting it.
    for (const broken of ["{", JSON.stringify({ ...JSON.parse(record), at: Date.now() + 86_400_000 })]) {
      writeFileSync(join(state, "last-run-systemd.json"), broken, { mode: 0o600 });
      expect(schedule(home, bin, ["status", "--systemd"]).stdout).toMatch(/\n {2}has not run yet \(it logs to the state log when it does\)\n/);
    }
  });
});

describe("schedule --launchd", () => {
  const plistPath = (home: string) => join(home, "Library", "LaunchAgents", "dev.iclaude.refresh.plist");

  test("writes a plist that parses and names the absolute binary, idempotently; remove takes it out", () => {
    const { home, bin } = homeWithBinary();
    const first = schedule(home, bin, ["install", "--launchd"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`launchd: wrote ${plistPath(home)}\n`);
    const parsed = Bun.spawnSync(["python3", "-c", "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))", plistPath(home)], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(parsed.stderr.toString()).toBe("");
    expect(JSON.parse(parsed.stdout.toString())).toEqual({
      Label: "dev.iclaude.refresh",
      ProgramArguments: [bin, "refresh", "--background", "--all"],
      EnvironmentVariables: { ICLAUDE_SCHEDULER: "launchd" },
      StartInterval: 3600,
      RunAtLoad: true,
      ProcessType: "Background",
    });
    const text = readFileSync(plistPath(home), "utf8");
    expect(schedule(home, bin, ["install", "--launchd"]).stdout).toContain("already installed");
    expect(readFileSync(plistPath(home), "utf8")).toBe(text);
    expect(schedule(home, bin, ["status", "--launchd"]).stdout).toMatch(/^launchd: installed \(.+dev\.iclaude\.refresh\.plist\)\n {2}has not run yet/);
    // With --launchd: without a flag these would also read the crontab of whoever runs the tests.
    expect(schedule(home, bin, ["remove", "--launchd"]).stdout).toBe(`launchd: removed ${plistPath(home)}\n`);
    expect(schedule(home, bin, ["status", "--launchd"]).stdout).toMatch(/^no schedule installed for launchd; `iclaude schedule install` adds one/);
  });

  test("two scheduler flags at once are bad usage", async () => {
    const run = await runBin(["schedule", "install", "--cron", "--launchd"], { home: tempHome() });
    expect([run.code, run.stdout, run.stderr]).toEqual([2, "", "iclaude: Choose one of --systemd, --launchd, --cron, not --launchd and --cron.\n"]);
  });
});
