import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, baseEnv, DAY, expectNoSecrets, ROOT, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

const FAKE = join(ROOT, "test/fixtures/fake-claude-launch/claude");

/** A home with a valid login, so nothing is refreshed and claude starts at once. */
function home(): { home: string; secrets: string[] } {
  const dir = tempHome("iclaude-launch-");
  const content = writeCredentials(dir) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
  return { home: dir, secrets: [content.claudeAiOauth.accessToken, content.claudeAiOauth.refreshToken] };
}

const until = (check: () => boolean, what: string, ms = 10_000): Promise<void> => waitFor(check, ms, what);

describe("iclaude in front of a stand-in claude", () => {
  test("passes every argument untouched and in order, including its own command names after --", async () => {
    const { home: h, secrets } = home();
    const env = { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args" };
    const run = await runBin(["--", "status", "-p", "a b", "", "--", "--json"], { home: h, env });
    expect(run).toEqual({ code: 0, stdout: "[status]\n[-p]\n[a b]\n[]\n[--]\n[--json]\noauth=\n", stderr: "" });
    const sub = await runBin(["mcp", "list"], { home: h, env });
    expect(sub.stdout).toBe("[mcp]\n[list]\noauth=\n");
    expectNoSecrets([run.stdout, run.stderr, sub.stdout, sub.stderr], secrets);
  });

  test("a broken setting warns in one line and still launches claude", async () => {
    const { home: h, secrets } = home();
    const run = await runBin(["--", "x"], { home: h, env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args", ICLAUDE_THRESHOLD: "7days" } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("[x]\noauth=\n");
    expect(run.stderr).toBe(
      'iclaude: ICLAUDE_THRESHOLD: "7days" is not a duration; write it like 90s, 30m, 12h, 7d or a number of seconds. Starting claude without checking the login.\n',
    );
    expectNoSecrets([run.stdout, run.stderr], secrets);
  });

  test("stdout is byte-identical to claude's own", async () => {
    const { home: h } = home();
    const env = { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "bytes" };
    const direct = Bun.spawnSync([FAKE, "-p", "x"], { env: baseEnv(h, env) });
    const run = await runBin(["-p", "x"], { home: h, env });
    expect(Buffer.from(run.stdout)).toEqual(Buffer.from(direct.stdout.toString()));
    expect(run.code).toBe(0);
  });

  test("streams: a line reaches stdout while claude still runs", async () => {
    const { home: h } = home();
    const gate = join(h, "gate");
    const proc = Bun.spawn([BIN, "-p", "hi"], {
      cwd: h,
      env: baseEnv(h, { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "stream", FAKE_GATE: gate }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = proc.stdout.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("first\n");
    // The stand-in prints its second line only once this file exists: it is still running now.
    writeFileSync(gate, "");
    let rest = "";
    for (let next = await reader.read(); !next.done; next = await reader.read()) rest += new TextDecoder().decode(next.value);
    expect(new TextDecoder().decode(first.value) + rest).toBe("first\nsecond\n");
    expect(await proc.exited).toBe(0);
  });

  test("returns claude's exit code, and 128+n when claude dies by a signal", async () => {
    const { home: h } = home();
    expect((await runBin([], { home: h, env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_EXIT: "42" } })).code).toBe(42);
    expect((await runBin(["-p", "x"], { home: h, env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_EXIT: "3" } })).code).toBe(3);
    expect((await runBin(["-p", "x"], { home: h, env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "killed" } })).code).toBe(137);
  });

  test("forwards SIGHUP, SIGINT, SIGWINCH and SIGTERM to claude", async () => {
    const { home: h } = home();
    const log = join(h, "signals.log");
    const proc = Bun.spawn([BIN, "--", "chat"], {
      cwd: h,
      env: baseEnv(h, { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "signals", FAKE_LOG: log }),
      stdout: "pipe",
      stderr: "pipe",
    });
    const lines = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
    await until(() => lines().includes("ready"), "the stand-in to start");
    for (const signal of ["SIGHUP", "SIGINT", "SIGWINCH"] as const) {
      proc.kill(signal);
      await until(() => lines().includes(signal.slice(3)), `${signal} to reach claude`);
    }
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(7);
    expect(lines()).toEqual(["ready", "HUP", "INT", "WINCH", "TERM"]);
  });
});

describe("before claude starts", () => {
  test("a refresh that fails warns in one line, and claude starts anyway", async () => {
    const mock = startMockAnthropic();
    try {
      const dir = tempHome("iclaude-launch-");
      const content = writeCredentials(dir, { expiresAt: Date.now() + 10 * 60_000 });
      mock.script({ status: 400, json: { error: "invalid_client", error_description: "scripted" } });
      const run = await runBin(["-p", "x"], { home: dir, env: { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args", ICLAUDE_TOKEN_URL: mock.tokenUrl } });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("[-p]\n[x]\noauth=\n");
      expect(run.stderr).toMatch(/^iclaude: The token endpoint refused the refresh \(.*\); the old login was kept — .* Starting claude anyway\.\n$/);
      expect(JSON.parse(readFileSync(join(dir, ".claude", ".credentials.json"), "utf8"))).toEqual(content);
      const oauth = content.claudeAiOauth as Record<string, string>;
      expectNoSecrets([run.stdout, run.stderr], [oauth.accessToken as string, oauth.refreshToken as string]);
    } finally {
      await mock.stop();
    }
  });

  test("at a terminal, an expiring login is offered the fallback once a day, and told in one line after that; print mode (-cp) is never asked", async () => {
    const { home: dir } = home();
    writeCredentials(dir, { refreshTokenExpiresAt: Date.now() + 2 * DAY + 3_600_000 });
    const env = baseEnv(dir, { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args" });
    const atTerminal = (args = "-- x") => {
      const proc = Bun.spawnSync(["script", "-qec", `'${BIN}' ${args}`, "/dev/null"], {
        cwd: dir,
        env,
        stdin: new TextEncoder().encode("n\n"),
        timeout: 20_000,
      });
      return { code: proc.exitCode, output: proc.stdout.toString().replace(/\r/g, "") };
    };
    const print = atTerminal("-cp x");
    expect(print.code).toBe(0);
    expect(print.output).not.toContain("login ends");
    expect(print.output).toContain("[-cp]\n[x]\n");
    const first = atTerminal();
    expect(first.code).toBe(0);
    expect(first.output).toContain("Your Claude login ends soon");
    expect(first.output).toContain("[x]\noauth=\n");
    const second = atTerminal();
    expect(second.code).toBe(0);
    expect(second.output).toContain("iclaude: Claude login ends in 2 days — log in again with `claude /login`");
    expect(second.output).not.toContain("Your Claude login ends soon");
    expect(second.output).toContain("[x]\noauth=\n");
  });
});

describe("finding claude", () => {
  test("the first claude on PATH that is not iclaude: a symlink to iclaude is skipped", async () => {
    const { home: h } = home();
    mkdirSync(join(h, "alias"));
    mkdirSync(join(h, "real"));
    symlinkSync(BIN, join(h, "alias", "claude"));
    symlinkSync(FAKE, join(h, "real", "claude"));
    const run = await runBin(["-p", "x"], { home: h, env: { PATH: `${h}/alias:${h}/real:/usr/bin:/bin`, FAKE_MODE: "args" } });
    expect(run).toEqual({ code: 0, stdout: "[-p]\n[x]\noauth=\n", stderr: "" });
  });

  test("a copy of iclaude named claude is caught when it starts, never a loop", async () => {
    const { home: h } = home();
    mkdirSync(join(h, "copy"));
    copyFileSync(BIN, join(h, "copy", "claude"));
    const run = await runBin(["-p", "x"], { home: h, env: { PATH: `${h}/copy:/usr/bin:/bin` } });
    expect(run.code).toBe(127);
    expect(run.stderr).toBe("iclaude: The claude iclaude found runs iclaude again; set ICLAUDE_CLAUDE_BIN to the real claude.\n");
  });

  test("a wrapper that starts iclaude again through a shell (no exec, a name the file check cannot see) stops eight launches deep", async () => {
    const { home: h } = home();
    mkdirSync(join(h, "wrap"));
    symlinkSync(BIN, join(h, "wrap", "ic"));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script
    writeFileSync(join(h, "wrap", "claude"), '#!/bin/sh\n"${0%/*}/ic" "$@"\n', { mode: 0o755 });
    const run = await runBin(["-p", "x"], { home: h, env: { PATH: `${h}/wrap:/usr/bin:/bin` } });
    expect(run.code).toBe(127);
    expect(run.stderr).toBe(
      "iclaude: iclaude has started claude 8 levels deep: the claude it finds starts iclaude again (a wrapper script, through a shell); set ICLAUDE_CLAUDE_BIN to the real claude.\n",
    );
  });

  test("no claude at all: exit 127 and one line with the install hint", async () => {
    const { home: h } = home();
    const run = await runBin(["-p", "x"], { home: h, env: { PATH: "/usr/bin:/bin" } });
    expect(run.code).toBe(127);
    expect(run.stderr).toMatch(/^iclaude: Cannot find the real claude on PATH; install Claude Code .*ICLAUDE_CLAUDE_BIN to the real claude\.\n$/);
    expect(run.stdout).toBe("");
  });
});
