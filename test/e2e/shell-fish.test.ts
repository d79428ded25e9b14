import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { callsOf, count, due, feed, sandbox, settledCalls, steady, terminal, writeRc } from "../fixtures/shell/harness.ts";
import { waitFor } from "../helpers.ts";

const NOTICE = "iclaude: Claude login has ended — run: iclaude refresh";
// fish reads piped commands without drawing prompts, so its prompt event is sent by hand.
const prompts = (n: number): string[] => Array<string>(n).fill("emit fish_prompt");

describe("fish prompt hook", () => {
  test("sourced twice, handles fish_prompt once", async () => {
    const box = await sandbox();
    writeRc(box, "fish", { times: 2 });
    steady(box);
    const run = await feed(box, "fish", ["functions --handlers-type generic"]);
    expect(count(run.stdout, "fish_prompt __iclaude_hook")).toBe(1);
  });

  test("keeps the user's own fish_prompt handlers", async () => {
    const box = await sandbox();
    const log = join(box.home, "log");
    writeRc(box, "fish", { before: `function mine --on-event fish_prompt; echo mine >>${log}; end\n` });
    steady(box);
    await feed(box, "fish", prompts(3));
    expect(readFileSync(log, "utf8")).toBe("mine\nmine\nmine\n");
  });

  test("starts one background refresh however many prompts follow while it runs", async () => {
    const box = await sandbox();
    writeRc(box, "fish");
    due(box);
    writeFileSync(box.fake, `#!/bin/sh\n{ printf '[%s]' "$@"; echo; } >>'${box.calls}'\nsleep 1\necho $(( $(date +%s) + 3600 )) >'${box.state}/next-check'\n`);
    const run = await feed(box, "fish", prompts(30));
    expect(run.stderr).toBe("");
    expect(await settledCalls(box)).toEqual(["[refresh][--background][--all]"]);
  });

  test("as in zsh and bash, no file is read before the time the last check read: a rewritten next-check waits for it", async () => {
    // A refresh leaves next-check passed, so every check that reads it starts one: the count tells the checks.
    const box = await sandbox({ nextCheckAfterRefresh: -100 });
    writeRc(box, "fish");
    const file = join(box.state, "next-check");
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(file, `${now + 600}\n`);
    utimesSync(file, now - 18_000, now - 18_000);
    const run = await feed(box, "fish", ["emit fish_prompt", `echo ${now - 10} >${file}`, ...prompts(3), "__iclaude_check"]);
    expect(run.stderr).toBe("");
    // Only the check run by hand read the rewritten time.
    expect(await settledCalls(box)).toEqual(["[refresh][--background][--all]"]);
  });

  describe("with no /proc/uptime, as elsewhere than Linux: next-check's age is the clock", () => {
    // The hook sees no regular file at /proc/uptime and takes the path other systems take.
    const NO_UPTIME = ["bwrap", "--dev-bind", "/", "/", "--ro-bind", "/dev/null", "/proc/uptime"];
    const aged = (box: Awaited<ReturnType<typeof sandbox>>, next: number): string => {
      const file = join(box.state, "next-check");
      const now = Math.floor(Date.now() / 1000);
      writeFileSync(file, `${now + next}\n`);
      utimesSync(file, now - 18_000, now - 18_000);
      return file;
    };

    test("a next-check ahead starts nothing, prompt after prompt", async () => {
      const box = await sandbox();
      writeRc(box, "fish");
      aged(box, 600);
      const run = await feed(box, "fish", prompts(5), {}, NO_UPTIME);
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(callsOf(box)).toEqual([]);
    });

    test("a next-check rewritten after the last check is read at the next prompt (its mtime moved)", async () => {
      const box = await sandbox();
      writeRc(box, "fish");
      const file = aged(box, 600);
      const now = Math.floor(Date.now() / 1000);
      const run = await feed(box, "fish", ["emit fish_prompt", `echo ${now - 10} >${file}`, "emit fish_prompt"], {}, NO_UPTIME);
      // On Linux's path this rewrite waits for the time last read: a refresh here shows the mtime path ran.
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(await settledCalls(box)).toEqual(["[refresh][--background][--all]"]);
    });
  });

  test("state files that are directories cost no error line at the prompt", async () => {
    const box = await sandbox();
    writeRc(box, "fish");
    for (const name of ["next-check", "notice", "notice-shown"]) mkdirSync(join(box.state, name), { recursive: true });
    expect((await feed(box, "fish", prompts(3))).stderr).toBe("");
  });

  test("a notice-shown it cannot write costs no error line at the prompt", async () => {
    const box = await sandbox();
    writeRc(box, "fish");
    steady(box);
    writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
    mkdirSync(join(box.state, "notice-shown"));
    expect((await feed(box, "fish", prompts(3))).stderr).toBe(`${NOTICE}\n`);
  });

  test("a notice-shown that is a FIFO does not hold the prompt", async () => {
    const box = await sandbox();
    writeRc(box, "fish");
    steady(box);
    writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
    expect(Bun.spawnSync(["mkfifo", join(box.state, "notice-shown")]).exitCode).toBe(0);
    expect((await feed(box, "fish", prompts(3))).stderr).toBe(`${NOTICE}\n`);
  });

  test("with no next-check yet starts one refresh", async () => {
    const box = await sandbox();
    writeRc(box, "fish");
    rmSync(box.state, { recursive: true });
    const run = await feed(box, "fish", prompts(5));
    expect(run.stderr).toBe("");
    expect(await settledCalls(box)).toEqual(["[refresh][--background][--all]"]);
  });

  test("prints the notice at one prompt a day, across shells", async () => {
    const box = await sandbox();
    writeRc(box, "fish");
    steady(box);
    writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
    expect((await feed(box, "fish", prompts(4))).stderr).toBe(`${NOTICE}\n`);
    expect((await feed(box, "fish", prompts(4))).stderr).toBe("");
    writeFileSync(join(box.state, "notice-shown"), `${Math.floor(Date.now() / 1000) - 86_401}\n`);
    expect((await feed(box, "fish", prompts(2))).stderr).toBe(`${NOTICE}\n`);
    expect(callsOf(box)).toEqual([]);
  });

  test("a notice-shown stamped while the clock ran a day fast does not hold the notice back", async () => {
    const box = await sandbox();
    writeRc(box, "fish");
    steady(box);
    writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
    writeFileSync(join(box.state, "notice-shown"), `${Math.floor(Date.now() / 1000) + 86_400}\n`);
    expect((await feed(box, "fish", prompts(2))).stderr).toBe(`${NOTICE}\n`);
  });

  test("a fish without the path builtin (before 3.5) is told once, gets no hook, and keeps the claude function", async () => {
    const box = await sandbox();
    // fish 3.6 cannot lose a builtin; shadowing `contains` makes the integration see a fish without `path`.
    writeRc(box, "fish", { before: "function contains; return 1; end\n", after: "functions -e contains\n" });
    due(box);
    const run = await feed(box, "fish", [...prompts(3), "functions -q __iclaude_hook; or echo no-hook", "functions -q claude; and echo claude-function"]);
    expect(run.stderr).toMatch(/^iclaude: fish \d+\.\d+\S* has no path builtin \(fish 3\.5\+\), so the prompt hook is off; claude still refreshes first\.\n$/);
    expect(run.stdout).toContain("no-hook\nclaude-function\n");
    expect(await settledCalls(box, 0)).toEqual([]);
  });

  test("leaves $status and $pipestatus to the prompt", async () => {
    const box = await sandbox();
    writeRc(box, "fish", { after: "function fish_prompt; printf 'S[%s|%s]> ' $status \"$pipestatus\"; end\n" });
    steady(box);
    const term = terminal(box, "fish");
    try {
      await waitFor(() => term.screen().includes("S[0|0]>"));
      term.type("false | true | false");
      await waitFor(() => term.screen().includes("S[1|1 0 1]>"));
      term.type("true");
      await waitFor(() => count(term.screen(), "S[0|0]>") === 2);
    } finally {
      term.close();
    }
  });
});
