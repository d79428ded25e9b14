import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { inPane, killPanes } from "../fixtures/pane.ts";
import { BIN, baseEnv, DAY, ROOT, runBin, tempHome, writeCredentials } from "../helpers.ts";

/* What a new user met in their first hour, each driven through the compiled binary. */

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(async () => {
  killPanes();
  await mock.stop();
});

const FAKE = join(ROOT, "test/fixtures/fake-claude-launch/claude");
/** `iclaude ARGS` in a tmux pane, the way a person types it. */
const inTmux = (home: string, name: string, args: string) =>
  inPane(home, name, args, baseEnv(home, { ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args", ICLAUDE_TOKEN_URL: mock.tokenUrl }));

describe("the setup-token offer", () => {
  test("a version check, a claude subcommand or --help at a terminal is never asked; a session is, and Enter declines", async () => {
    const home = tempHome("first-hour-");
    writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 3 * DAY });
    for (const [name, args] of [
      ["version", "--version"],
      ["run-version", "run --version"],
      ["sub", "mcp list"],
      ["help", "-- --help"],
    ] as const) {
      const pane = inTmux(home, name, args);
      expect(await pane.exitCode()).toBe(0);
      expect(pane.screen()).not.toContain("setup-token");
      expect(pane.screen()).not.toContain("login ends");
    }
    const session = inTmux(home, "session", "");
    await session.waitFor("Run claude setup-token now? [y/N]");
    session.keys("Enter");
    expect(await session.exitCode()).toBe(0);
    expect(session.screen()).toContain("oauth=");
    expect(session.screen()).not.toContain("Paste code here");
  }, 60_000);
});

describe("did-you-mean", () => {
  test("`hooks uninstall` and `hooks remove` name `hooks install --uninstall`, never `hooks install`; `schedule uninstall` names `schedule remove`", async () => {
    const home = tempHome("first-hour-");
    for (const word of ["uninstall", "remove"]) {
      const run = await runBin(["hooks", word], { home });
      expect(run).toEqual({ code: 2, stdout: "", stderr: `iclaude: \`iclaude hooks ${word}\` is spelled \`iclaude hooks install --uninstall\`; run that.\n` });
    }
    const schedule = await runBin(["schedule", "uninstall"], { home });
    expect(schedule.stderr).toBe("iclaude: `iclaude schedule uninstall` is spelled `iclaude schedule remove`; run that.\n");
    // A typo still finds its command; the opposite word never does.
    expect((await runBin(["hooks", "instal"], { home })).stderr).toContain("did you mean `iclaude hooks install`?");
    expect((await runBin(["profiles", "unadd"], { home })).stderr).not.toContain("did you mean");
  });
});

describe("advice that does what it says", () => {
  test("a failed `refresh --force` does not suggest `refresh --force`", async () => {
    const home = tempHome("first-hour-");
    writeCredentials(home, { ...mock.issuePair(), expiresAt: Date.now() + 10 * 60_000 });
    mock.script({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const run = await runBin(["refresh", "--force"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(run.code).toBe(21);
    expect(run.stderr).toMatch(
      /^iclaude: The refresh failed \(HTTP 503 after \d attempts?\); the old login was kept — check the network; the next try can be in 30s \(ICLAUDE_COOLDOWN\)\.\n$/,
    );
  });

  test("`status` takes back a notice once the login is repaired, and a notice names the binary by its path when PATH does not find it", async () => {
    const home = tempHome("first-hour-");
    writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 3 * DAY });
    const notice = join(home, ".local", "state", "iclaude", "notice");
    expect((await runBin(["refresh", "--background", "--all"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } })).code).toBe(0);
    expect(readFileSync(notice, "utf8")).toMatch(new RegExp(`— run: '${BIN}' refresh\\n$`));
    const onPath = await runBin(["status"], { home, env: { PATH: `${join(BIN, "..")}:/usr/bin:/bin` } });
    expect(onPath.code).toBe(11);
    expect(readFileSync(notice, "utf8")).toMatch(/— run: iclaude refresh\n$/);
    // The user logs in again: the next look finds a sound login and the shells stop saying otherwise.
    writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 30 * DAY });
    expect((await runBin(["status"], { home })).code).toBe(0);
    expect(existsSync(notice)).toBe(false);
  });
});
