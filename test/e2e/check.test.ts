import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { CLAUDE_BIN } from "../fixtures/claude-home.ts";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, DAY, expectNoSecrets, linkBinary, type Run, runBin, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

interface Setup {
  home: string;
  repo: string;
  env: Record<string, string | undefined>;
  secrets: string[];
  check(extra?: Record<string, string | undefined>): Promise<Run>;
}

/**
 * A sound set-up, built with iclaude's own commands: a login 20 days from its end, the real claude
 * found by ICLAUDE_CLAUDE_BIN, iclaude on PATH and its shell integration loaded, the git guard in a
 * repository, and a systemd timer that has run once.
 */
async function soundSetup(): Promise<Setup> {
  const home = tempHome("iclaude-check-");
  const content = writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 20 * DAY }) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
  const repo = join(home, "repo");
  mkdirSync(repo);
  const env: Record<string, string | undefined> = {
    PATH: `${dirname(BIN)}:/usr/local/bin:/usr/bin:/bin`,
    ICLAUDE_CLAUDE_BIN: CLAUDE_BIN,
    ICLAUDE_SHELL_HOOK: BIN,
    ICLAUDE_TOKEN_URL: mock.tokenUrl,
    GIT_CONFIG_NOSYSTEM: "1",
  };
  expect(Bun.spawnSync(["git", "init", "-q", repo], { env: { HOME: home, PATH: "/usr/bin:/bin" } }).exitCode).toBe(0);
  expect((await runBin(["hooks", "install"], { home, cwd: repo, env })).code).toBe(0);
  expect((await runBin(["schedule", "install", "--systemd"], { home, env })).code).toBe(0);
  expect((await runBin(["refresh", "--background", "--all"], { home, env: { ...env, ICLAUDE_SCHEDULER: "systemd" } })).code).toBe(0);
  const secrets = [content.claudeAiOauth.accessToken, content.claudeAiOauth.refreshToken];
  const check = async (extra: Record<string, string | undefined> = {}) => {
    const run = await runBin(["check"], { home, cwd: repo, env: { ...env, ...extra } });
    const json = await runBin(["check", "--json"], { home, cwd: repo, env: { ...env, ...extra } });
    expectNoSecrets([run.stdout, run.stderr, json.stdout, json.stderr], secrets);
    expect(json.code).toBe(run.code);
    // The JSON has the same findings as the lines, each with its four fields.
    const findings = JSON.parse(json.stdout) as { id: string; status: string; summary: string; fix: string | null }[];
    expect(findings.map((f) => f.status)).toEqual(
      run.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/)[0] ?? ""),
    );
    for (const f of findings) expect(Object.keys(f)).toEqual(["id", "status", "summary", "fix"]);
    return run;
  };
  return { home, repo, env, secrets, check };
}

/** The one line of a finding that starts `status` and contains `what`. */
const lineOf = (run: Run, status: string, what: string): string =>
  run.stdout.split("\n").find((l) => l.startsWith(status) && l.includes(what)) ?? `(no ${status} line with "${what}" in:\n${run.stdout})`;

test("a sound set-up passes: every finding is ok, exit 0", async () => {
  const setup = await soundSetup();
  const run = await setup.check();
  expect(run.stdout).not.toMatch(/^(warn|fail)/m);
  expect(run.stdout).toContain("claude 2.1.337");
  expect(run.stdout).toContain("within what iclaude was tested with (2.1.197 and 2.1.337)");
  expect(run.stdout).toMatch(/^ok {4}login valid: .*login ends in 20 days/m);
  expect(run.stdout).toMatch(/^ok {4}systemd timer ran \d+s ago: .*nothing due/m);
  expect(run.stdout).toMatch(/^ok {4}this repository: pre-commit, prepare-commit-msg, commit-msg, applypatch-msg, pre-applypatch call this iclaude/m);
  expect(run.code).toBe(0);
});

test("credentials readable by others fail, with the chmod that fixes them", async () => {
  const setup = await soundSetup();
  const file = join(setup.home, ".claude", ".credentials.json");
  chmodSync(file, 0o644);
  const run = await setup.check();
  expect(lineOf(run, "fail", file)).toBe(`fail  ${file} can be read by others (mode 644) — run: chmod 600 '${file}'`);
  expect(run.code).toBe(1);
});

test("a profile dir every user can write to fails, with the chmod that fixes it, as refresh --all says it", async () => {
  const setup = await soundSetup();
  const dir = join(setup.home, ".claude");
  chmodSync(dir, 0o777);
  const run = await setup.check();
  expect(lineOf(run, "fail", `${dir} can`)).toBe(
    `fail  ${dir} can be written by every user (mode 777), who could replace the credentials in it — run: chmod o-w '${dir}'`,
  );
  expect(run.code).toBe(1);
  chmodSync(dir, 0o700);
  expect((await setup.check()).code).toBe(0);
});

test("a repository hook whose binary is gone fails, naming the command that installs it again", async () => {
  const setup = await soundSetup();
  const old = linkBinary(join(setup.home, "old", "iclaude"));
  expect((await runBin(["hooks", "install"], { home: setup.home, cwd: setup.repo, env: setup.env, argv: (a) => [old, ...a.slice(1)] })).code).toBe(0);
  rmSync(old);
  const run = await setup.check();
  expect(lineOf(run, "fail", "pre-commit")).toBe(
    `fail  ${join(setup.repo, ".git", "hooks", "pre-commit")} calls ${old}, which is gone: commits are not checked for secrets — run: iclaude hooks install (or \`iclaude hooks install --uninstall\`)`,
  );
  expect(run.code).toBe(1);
});

test("claude missing fails, with how to install it", async () => {
  const setup = await soundSetup();
  const run = await setup.check({ ICLAUDE_CLAUDE_BIN: undefined });
  expect(lineOf(run, "fail", "claude")).toBe(
    "fail  Cannot find the real claude on PATH — install Claude Code (npm install -g @anthropic-ai/claude-code), or set ICLAUDE_CLAUDE_BIN to the real claude",
  );
  expect(run.code).toBe(1);
});

test("iclaude not on PATH fails, with the PATH line for the user's shell", async () => {
  const setup = await soundSetup();
  const run = await setup.check({ PATH: "/usr/local/bin:/usr/bin:/bin", SHELL: "/usr/bin/zsh" });
  expect(lineOf(run, "fail", "PATH")).toBe(
    `fail  iclaude is not on PATH in this shell (it is ${BIN}) — add this line to ~/.zshrc: export PATH='${dirname(BIN)}':"$PATH"`,
  );
  expect(run.code).toBe(1);
});

/** Where a pid lives, as Claude Code 2.1.332 writes it in its lock owner record (on Linux), for a process in `namespace`. */
function pidWorld(
  namespace = readlinkSync("/proc/self/ns/pid"),
  machine = existsSync("/etc/machine-id") ? readFileSync("/etc/machine-id", "utf8").trim() : "",
) {
  return { pidSpace: `${hostname()}#${namespace}`, pidDomain: `linux:${machine}:${namespace}` };
}

/** A refresh lock as Claude Code 2.1.332 holds it, its owner record naming `pid` in `world`, untouched for `ageMs`. */
function lockHeld(dir: string, pid: number, world: ReturnType<typeof pidWorld>, ageMs: number): void {
  mkdirSync(join(dir, ".oauth_refresh.lock"), { recursive: true });
  const birth = Date.now() - ageMs;
  writeFileSync(join(dir, ".oauth_refresh.lock.owner"), JSON.stringify({ pid, ...world, lockBirthtimeMs: birth }));
  utimesSync(join(dir, ".oauth_refresh.lock"), birth / 1000, birth / 1000);
}

test("a refresh lock left by a dead pid fails, naming the pid and what to remove", async () => {
  const setup = await soundSetup();
  const dead = Bun.spawn(["true"]);
  await dead.exited;
  const dir = join(setup.home, ".claude");
  lockHeld(dir, dead.pid, pidWorld(), 120_000);
  const run = await setup.check();
  expect(lineOf(run, "fail", "lock")).toBe(
    `fail  ${dir}/.oauth_refresh.lock was left by pid ${dead.pid}, which is no longer running (untouched for 2m) — nothing holds it: run: rm -rf '${dir}/.oauth_refresh.lock' '${dir}/.oauth_refresh.lock.owner'`,
  );
  expect(run.code).toBe(1);
});

test("a lock held by a live Claude Code is named with its pid, and is no failure", async () => {
  const setup = await soundSetup();
  const dir = join(setup.home, ".claude");
  lockHeld(dir, process.pid, pidWorld(), 0);
  const run = await setup.check();
  expect(lineOf(run, "ok", "lock")).toMatch(new RegExp(`^ok {4}${dir}/\\.oauth_refresh\\.lock held by pid ${process.pid} \\(touched \\d+s ago\\)$`));
  expect(run.code).toBe(0);
});

test("a lock held from another PID namespace or machine (a box, a host sharing the config dir) is never called left behind", async () => {
  const setup = await soundSetup();
  // A PID namespace of its own, as a container or bubblewrap box has: its pids say nothing about this one's.
  const boxed = Bun.spawnSync(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "readlink", "/proc/self/ns/pid"]);
  const namespace = boxed.stdout.toString().trim();
  expect([boxed.exitCode, namespace]).toEqual([0, expect.stringMatching(/^pid:\[\d+\]$/)]);
  expect(namespace).not.toBe(readlinkSync("/proc/self/ns/pid"));
  const gone = Bun.spawn(["true"]);
  await gone.exited;
  const dir = join(setup.home, ".claude");
  // The box's namespace; then another machine of the same host name (a config dir on NFS): only its machine id differs.
  for (const world of [pidWorld(namespace), { ...pidWorld(), pidDomain: pidWorld(undefined, "0123456789abcdef0123456789abcdef").pidDomain }]) {
    lockHeld(dir, gone.pid, world, 0);
    const run = await setup.check();
    expect(lineOf(run, "ok", "lock")).toMatch(
      new RegExp(
        `^ok {4}${dir}/\\.oauth_refresh\\.lock held by pid ${gone.pid} of another PID namespace \\(a container, or another host\\) \\(touched \\d+s ago\\)$`,
      ),
    );
    expect(run.stdout).not.toContain("rm -rf");
    expect(run.code).toBe(0);
  }
});

test("a timer installed hours ago that has never run fails, with how to start it; a new one only warns", async () => {
  const home = tempHome("iclaude-check-");
  writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 20 * DAY });
  const env = { PATH: `${dirname(BIN)}:/usr/bin:/bin`, ICLAUDE_CLAUDE_BIN: CLAUDE_BIN };
  expect((await runBin(["schedule", "install", "--systemd"], { home, env })).code).toBe(0);
  const fresh = await runBin(["check"], { home, env });
  expect(fresh.stdout).toMatch(/^warn {2}systemd timer installed \d+s ago but has never run \(it runs hourly\) — wait an hour/m);
  const unit = join(home, ".config", "systemd", "user", "iclaude-refresh.timer");
  const before = Date.now() / 1000 - 3 * 3600;
  utimesSync(unit, before, before);
  const run = await runBin(["check"], { home, env });
  expect(lineOf(run, "fail", "systemd")).toBe(
    'fail  systemd timer installed 3h but has never run — run: systemctl --user enable --now iclaude-refresh.timer (and `loginctl enable-linger "$USER"` for runs while logged out)'.replace(
      "3h but",
      "3h ago but",
    ),
  );
  expect(run.code).toBe(1);
});
