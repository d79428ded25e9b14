import { expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BIN, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/*
 * A profile dir named to run a command when pasted unquoted, with an ended login: the notice's
 * suggested command, pasted into a real shell in a real terminal (tmux), runs that command alone,
 * with the dir as it is. And a dir named with ESC and BEL reaches no terminal raw.
 */

const ENDED = { accessToken: "", refreshToken: "", expiresAt: 0 };
const HOSTILE = "$(touch PWNED) it's `touch TICK` a\\b";

/** A home whose profile `name` (under home/p) holds an ended login; returns the notice the timer's run left. */
async function noticeFor(name: string): Promise<{ home: string; dir: string; notice: string }> {
  const home = tempHome();
  const dir = join(home, "p", name);
  // ~/.claude holds a sound login: the profile's ended one is the notice.
  writeCredentials(home);
  writeCredentials(home, ENDED, {}, dir);
  expect((await runBin(["profiles", "add", dir], { home })).code).toBe(0);
  // This very binary is the `iclaude` on PATH, so the notice names it by its bare name.
  await runBin(["refresh", "--background", "--all"], { home, env: { PATH: `${dirname(BIN)}:/usr/bin:/bin` } });
  return { home, dir, notice: readFileSync(join(home, ".local/state/iclaude/notice"), "utf8").trim() };
}

for (const shell of ["bash", "zsh", "fish"] as const) {
  test(`${shell}: pasting the notice's suggested command runs it for that very dir, and nothing the dir's name holds`, async () => {
    const { home, dir, notice } = await noticeFor(HOSTILE);
    const suggested = /— run: (.*)$/.exec(notice)?.[1] ?? "";
    expect(suggested).toEndWith(" iclaude refresh");
    // An `iclaude` that only says which dir it was given.
    const bin = join(home, "bin");
    mkdirSync(bin);
    const got = join(home, "got");
    writeFileSync(join(bin, "iclaude"), `#!/bin/sh\nprintf '%s' "$CLAUDE_CONFIG_DIR" >'${got}'\n`, { mode: 0o755 });
    const socket = join(home, "tmux.sock");
    const env = { HOME: home, PATH: `${bin}:/usr/bin:/bin`, TERM: "xterm-256color", LANG: "C.UTF-8" };
    const tmux = (...args: string[]) => Bun.spawnSync(["tmux", "-S", socket, ...args], { env, timeout: 10_000 });
    const argv = { bash: "bash --norc --noprofile", zsh: "zsh -f", fish: "fish --no-config" }[shell];
    try {
      tmux("new-session", "-d", "-x", "250", "-y", "20", "-c", home, argv);
      tmux("set-buffer", "--", suggested);
      tmux("paste-buffer");
      tmux("send-keys", "Enter");
      await waitFor(
        () => existsSync(got),
        15_000,
        () => `the pasted command to run; the pane shows:\n${tmux("capture-pane", "-p").stdout.toString()}`,
      );
    } finally {
      tmux("kill-server");
    }
    expect(readFileSync(got, "utf8")).toBe(dir);
    expect(readdirSync(home).filter((name) => name === "PWNED" || name === "TICK")).toEqual([]);
  });
}

test("a dir named with ESC and BEL is shown escaped by profiles, status --all, refresh --all and the notice", async () => {
  const { home, notice } = await noticeFor("red\x1b[31m\x07bell");
  const shown = "red\\x1b[31m\\x07bell";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the raw ESC and BEL are what must not get through
  const raw = /[\x07\x1b]/;
  const runs = await Promise.all([["profiles"], ["status", "--all"], ["refresh", "--all"]].map((args) => runBin(args, { home })));
  for (const run of runs) {
    expect(run.stdout + run.stderr).toContain(shown);
    expect(run.stdout + run.stderr).not.toMatch(raw);
  }
  expect(notice).toContain(shown);
  expect(notice).not.toMatch(raw);
  expect(readFileSync(join(home, ".local/state/iclaude/iclaude.log"), "utf8")).not.toMatch(raw);
});
