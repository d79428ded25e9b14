import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestUser, type TestUser, testUserUnavailable } from "../fixtures/test-user.ts";
import { fakeToken, linkBinary, tempHome, waitFor } from "../helpers.ts";

/*
 * Every file iclaude renders around its own path — systemd units, the launchd plist, the crontab
 * line, the shell integration, the git hook stubs — with the binary at a hostile path: a space,
 * both quotes, `$`, a backtick and `$(…)` that would create a file if run, `%`, non-ASCII. A path
 * with a line break is refused where it would become a line of its own, and works where quoting holds it.
 */

/** Every character that means something to sh, fish, systemd, cron or XML, and nothing that can end a line. */
const HOSTILE = `we ird 'q"$HOME \`touch TICK\` $(touch SUB) 100%d %% ünï&<x>`;
const NEWLINE = "two\nExecStartPre=/bin/touch PWNED\n* * * * * touch PWNED";
/** What systemd accepts in an executable's name: no quote, no backslash. */
const UNIT_HOSTILE = HOSTILE.replace(/['"]/g, "");

/** The compiled binary, hard-linked into a directory of that name under `home`. */
const binaryIn = (home: string, dirName: string): string => linkBinary(join(home, dirName, "iclaude"));

const ENV = (home: string, extra: Record<string, string> = {}) => ({
  HOME: home,
  PATH: "/usr/bin:/bin",
  USER: "tester",
  LANG: "C.UTF-8",
  NO_COLOR: "1",
  ...extra,
});

function run(bin: string, args: string[], home: string, cwd = home, env: Record<string, string> = {}) {
  const proc = Bun.spawnSync([bin, ...args], { cwd, env: ENV(home, env), stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

/** No `touch` of the hostile names ran, anywhere under `dir`. */
function expectNothingRan(dir: string): void {
  const found = (readdirSync(dir, { recursive: true }) as string[]).filter((name) => /(^|\/)(TICK|SUB|PWNED)$/.test(name));
  expect(found).toEqual([]);
}

describe("the systemd units", () => {
  test("name a hostile path as one ExecStart word that systemd-analyze verify finds executable", () => {
    const home = tempHome();
    const bin = binaryIn(home, UNIT_HOSTILE);
    expect(run(bin, ["schedule", "install", "--systemd"], home).code).toBe(0);
    const dir = join(home, ".config/systemd/user");
    const runtime = join(home, "runtime");
    mkdirSync(runtime, { mode: 0o700 });
    const verify = Bun.spawnSync(["systemd-analyze", "--user", "verify", join(dir, "iclaude-refresh.service"), join(dir, "iclaude-refresh.timer")], {
      env: { HOME: home, PATH: "/usr/bin:/bin", XDG_RUNTIME_DIR: runtime },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect([verify.exitCode, verify.stderr.toString()]).toEqual([0, ""]);
    expect(
      readFileSync(join(dir, "iclaude-refresh.service"), "utf8")
        .split("\n")
        .filter((l) => l.startsWith("Exec")),
    ).toHaveLength(1);
    expectNothingRan(home);
  });

  test("refuse a path with a line break: exit 2, one sentence, nothing written", () => {
    const home = tempHome();
    const bin = binaryIn(home, NEWLINE);
    const refused = run(bin, ["schedule", "install", "--systemd"], home);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `iclaude: iclaude's path "${join(home, "two\\x0aExecStartPre=/bin/touch PWNED\\x0a* * * * * touch PWNED", "iclaude")}" holds a control character (\\x0a), which a systemd unit cannot hold safely; nothing was written — move iclaude to a path without one.\n`,
    );
    expect(existsSync(join(home, ".config/systemd"))).toBe(false);
  });

  test("refuse a path with a quote, which systemd refuses in an executable's name", () => {
    const home = tempHome();
    const refused = run(binaryIn(home, HOSTILE), ["schedule", "install", "--systemd"], home);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`holds a ', which a systemd unit cannot hold safely; nothing was written`);
    expect(existsSync(join(home, ".config/systemd"))).toBe(false);
  });
});

describe("the launchd plist", () => {
  test("holds the hostile path as the program's first argument, exactly", () => {
    const home = tempHome();
    const bin = binaryIn(home, HOSTILE);
    expect(run(bin, ["schedule", "install", "--launchd"], home).code).toBe(0);
    const plist = join(home, "Library/LaunchAgents/dev.iclaude.refresh.plist");
    const parsed = Bun.spawnSync(
      ["python3", "-c", "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))['ProgramArguments']))", plist],
      { stdout: "pipe" },
    );
    expect(JSON.parse(parsed.stdout.toString())[0]).toBe(bin);
  });

  test("refuses a path with a line break", () => {
    const home = tempHome();
    const refused = run(binaryIn(home, NEWLINE), ["schedule", "install", "--launchd"], home);
    expect(refused.code).toBe(2);
    expect(existsSync(join(home, "Library"))).toBe(false);
  });
});

const unavailable = testUserUnavailable();
describe.skipIf(unavailable !== null)("the crontab line, in a throw-away user's real crontab", () => {
  let user: TestUser;
  beforeAll(() => {
    user = createTestUser(tempHome("iclaude-cronpath-"));
  });
  afterAll(() => user.remove());

  const asUser = (argv: string[], stdin?: string) => {
    const proc = Bun.spawnSync(user.as(argv), {
      cwd: user.home,
      env: ENV(user.home, { USER: user.name, LOGNAME: user.name }),
      stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
      stdout: "pipe",
      stderr: "pipe",
    });
    return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
  };

  test("is one job whose every % is escaped, and a path with a line break adds none", () => {
    const bin = binaryIn(user.home, HOSTILE);
    const crooked = binaryIn(user.home, NEWLINE);
    user.chownHome();
    asUser(["crontab", "-"], "5 4 * * * true\n");
    const refused = asUser([crooked, "schedule", "install", "--cron"]);
    expect(refused.code).toBe(2);
    expect(asUser(["crontab", "-l"]).stdout).toBe("5 4 * * * true\n");

    expect(asUser([bin, "schedule", "install", "--cron"]).code).toBe(0);
    const jobs = asUser(["crontab", "-l"])
      .stdout.split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(jobs).toHaveLength(2);
    const ours = jobs[1] ?? "";
    // What cron hands to sh: each `\%` becomes `%`, and no unescaped `%` is left to cut the command.
    expect(ours.replace(/\\%/g, "")).not.toContain("%");
    const command = ours.replace(/^(\S+\s+){5}/, "").replace(/\\%/g, "%");
    const argv = Bun.spawnSync(["sh", "-c", `set -- ${command.replace(/^ICLAUDE_SCHEDULER=cron /, "")}; printf '%s\\0' "$@"`], {
      cwd: user.home,
      stdout: "pipe",
    });
    expect(argv.stdout.toString().split("\0").slice(0, -1)).toEqual([bin, "refresh", "--background", "--all"]);
    expectNothingRan(user.home);
  });
});

describe("the shell integration", () => {
  for (const shell of ["bash", "zsh", "fish"] as const) {
    for (const [what, name] of [
      ["a hostile path", HOSTILE],
      ["a path with a line break", NEWLINE],
    ] as const) {
      test(`${shell}: with the binary at ${what}, the prompt hook runs that very binary and nothing else`, async () => {
        const home = tempHome();
        const bin = binaryIn(home, name);
        const init = run(bin, ["init", shell], home);
        expect(init.code).toBe(0);
        const script = join(home, `init.${shell}`);
        writeFileSync(script, init.stdout);
        const state = join(home, "state");
        const source = shell === "fish" ? `source ${JSON.stringify(script)}; emit fish_prompt` : `. '${script}'; __iclaude_hook`;
        const proc = Bun.spawnSync([shell, "-i", "-c", source], { cwd: home, env: ENV(home, { ICLAUDE_STATE_DIR: state }), stdout: "pipe", stderr: "pipe" });
        expect(proc.stderr.toString()).not.toContain("not found");
        // The detached refresh it started writes next-check: the path reached the binary whole.
        await waitFor(() => existsSync(join(state, "next-check")));
        expectNothingRan(home);
      });
    }
  }
});

describe("the git hook stubs", () => {
  for (const [what, name] of [
    ["a hostile path", HOSTILE],
    ["a path with a line break", NEWLINE],
  ] as const) {
    test(`with the binary at ${what}, the hook runs that very binary: a token in the message is blocked`, () => {
      const home = tempHome();
      const bin = binaryIn(home, name);
      const repo = join(home, "repo");
      mkdirSync(repo);
      const git = (args: string[]) =>
        Bun.spawnSync(["git", ...args], {
          cwd: repo,
          env: ENV(home, { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" }),
          stdout: "pipe",
          stderr: "pipe",
        });
      git(["init", "-q"]);
      expect(run(bin, ["hooks", "install"], home, repo).code).toBe(0);
      writeFileSync(join(repo, "a.txt"), "hello\n");
      git(["add", "a.txt"]);
      const blocked = git(["commit", "-q", "-m", `x ${fakeToken("oat01")}`]);
      expect(blocked.exitCode).not.toBe(0);
      expect(blocked.stderr.toString()).toContain("blocked");
      expect(git(["commit", "-q", "-m", "clean"]).exitCode).toBe(0);
      expectNothingRan(home);
    });
  }
});
