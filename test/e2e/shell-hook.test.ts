import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { callsOf, due, feed, type ShellName, sandbox, settledCalls, steady, writeRc } from "../fixtures/shell/harness.ts";
import { baseEnv } from "../helpers.ts";

const STRICT = { zsh: "setopt ERR_EXIT NO_UNSET PIPE_FAIL\n", bash: "set -euo pipefail\n" };
const REFRESH = "[refresh][--background][--all]";
const NOTICE = "iclaude: Claude login ends in 3 days — run: iclaude refresh";
const nowS = (): number => Math.floor(Date.now() / 1000);
const prompts = (n: number): string[] => Array<string>(n).fill(":");

for (const shell of ["zsh", "bash"] as const satisfies readonly ShellName[]) {
  describe(`${shell} prompt hook`, () => {
    test("under strict mode prints nothing and keeps the shell alive, steady or due", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      steady(box);
      const quiet = await feed(box, shell, [":", "! true", "echo alive", ":"]);
      expect(quiet).toEqual({ code: 0, stdout: "alive\n", stderr: "" });
      expect(callsOf(box)).toEqual([]);
      due(box);
      const busy = await feed(box, shell, [":", "! true", "echo alive", ":"]);
      expect(busy).toEqual({ code: 0, stdout: "alive\n", stderr: "" });
      expect(await settledCalls(box)).toEqual([REFRESH]);
    });

    test("sourced twice, registers once", async () => {
      const box = await sandbox();
      writeRc(box, shell, { times: 2 });
      steady(box);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
      const list = shell === "zsh" ? 'print -r -- "${(j:,:)precmd_functions}"' : 'printf "%s," "${PROMPT_COMMAND[@]}"; echo';
      const run = await feed(box, shell, [list]);
      expect(run.stdout.match(/__iclaude_hook/g)?.length).toBe(1);
    });

    test("starts one background refresh however many prompts follow while it runs", async () => {
      const box = await sandbox();
      writeRc(box, shell);
      due(box);
      // The fake is slow to write next-check, as a refresh over the network would be.
      writeFileSync(
        box.fake,
        `#!/bin/sh\n{ printf '[%s]' "$@"; echo; } >>'${box.calls}'\nsleep 1\necho $(( $(date +%s) + 3600 )) >'${box.state}/next-check'\n`,
      );
      const run = await feed(box, shell, prompts(30));
      expect(run).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(await settledCalls(box)).toEqual([REFRESH]);
    });

    test("with no state yet starts one refresh, and prints nothing", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      rmSync(box.state, { recursive: true });
      const run = await feed(box, shell, prompts(3), { ICLAUDE_STATE_DIR: join(box.state, "deeper") });
      expect(run).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(await settledCalls(box)).toEqual([REFRESH]);
    });

    test("state files that are directories cost no error line at the prompt", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      for (const name of ["next-check", "notice", "notice-shown"]) mkdirSync(join(box.state, name), { recursive: true });
      const run = await feed(box, shell, prompts(3));
      expect(run).toEqual({ code: 0, stdout: "", stderr: "" });
    });

    test("a notice-shown it cannot write costs no error line at the prompt", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      steady(box);
      writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
      mkdirSync(join(box.state, "notice-shown"));
      const run = await feed(box, shell, prompts(3));
      expect(run).toEqual({ code: 0, stdout: "", stderr: `${NOTICE}\n` });
    });

    test("a notice-shown that is a FIFO does not hold the prompt", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      steady(box);
      writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
      expect(Bun.spawnSync(["mkfifo", join(box.state, "notice-shown")]).exitCode).toBe(0);
      const run = await feed(box, shell, prompts(3));
      expect(run).toEqual({ code: 0, stdout: "", stderr: `${NOTICE}\n` });
    });

    test("prints the notice at one prompt a day, across shells", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      steady(box);
      writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
      const first = await feed(box, shell, prompts(4));
      expect(first).toEqual({ code: 0, stdout: "", stderr: `${NOTICE}\n` });
      const second = await feed(box, shell, prompts(4));
      expect(second).toEqual({ code: 0, stdout: "", stderr: "" });
      writeFileSync(join(box.state, "notice-shown"), `${nowS() - 86_401}\n`);
      const nextDay = await feed(box, shell, prompts(2));
      expect(nextDay.stderr).toBe(`${NOTICE}\n`);
      rmSync(join(box.state, "notice"));
      rmSync(join(box.state, "notice-shown"));
      const solved = await feed(box, shell, prompts(2));
      expect(solved.stderr).toBe("");
      expect(existsSync(join(box.state, "notice-shown"))).toBe(false);
      expect(callsOf(box)).toEqual([]);
    });

    test("a notice-shown stamped while the clock ran a day fast does not hold the notice back", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      steady(box);
      writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
      writeFileSync(join(box.state, "notice-shown"), `${nowS() + 86_400}\n`);
      const run = await feed(box, shell, prompts(2));
      expect(run).toEqual({ code: 0, stdout: "", stderr: `${NOTICE}\n` });
    });

    test("ignores a next-check that is not a number, and never evaluates it", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      const marker = join(box.home, "evaluated");
      writeFileSync(join(box.state, "next-check"), `a[$(touch ${marker})]\n`);
      const run = await feed(box, shell, prompts(2));
      expect(run).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(existsSync(marker)).toBe(false);
      expect(await settledCalls(box)).toEqual([REFRESH]);
    });

    test("sourced by a script, defines and registers nothing", async () => {
      const box = await sandbox();
      const probe =
        shell === "zsh"
          ? `source ${box.home}/init.zsh; print -r -- "\${#precmd_functions} \${+functions[claude]} \${+functions[__iclaude_hook]}"`
          : `source ${box.home}/init.bash; echo "\${PROMPT_COMMAND:-none} $(type -t claude || echo none)"`;
      const proc = Bun.spawnSync([shell, "-c", probe], { env: baseEnv(box.home), stdout: "pipe", stderr: "pipe" });
      expect(proc.stdout.toString()).toBe(shell === "zsh" ? "0 0 0\n" : "none none\n");
      expect(proc.stderr.toString()).toBe("");
    });
  });
}

describe("zsh prompt hook among others", () => {
  test("keeps existing precmd_functions and $?", async () => {
    const box = await sandbox();
    const log = join(box.home, "log");
    writeRc(box, "zsh", { before: `mine() { print -r -- "mine $?" >>${log} }\nprecmd_functions=(mine)\n` });
    steady(box);
    const run = await feed(box, "zsh", ["false", "print -r -- after $?", "(exit 3)", ":"]);
    expect(run.stdout).toBe("after 1\n");
    expect(readFileSync(log, "utf8")).toBe("mine 0\nmine 1\nmine 0\nmine 3\nmine 0\n");
  });
});

describe("zsh prompt hook and the user's status and traps", () => {
  test("a prompt where the check runs keeps the command's $?", async () => {
    const box = await sandbox();
    writeRc(box, "zsh", { after: "(exit 3)" });
    due(box);
    const run = await feed(box, "zsh", ["print -r -- after $?"]);
    expect(run).toEqual({ code: 0, stdout: "after 3\n", stderr: "" });
    expect(await settledCalls(box)).toEqual([REFRESH]);
  });

  test("a check fires no ZERR trap of the user's and prints no exit value", async () => {
    const box = await sandbox();
    writeRc(box, "zsh", { before: "setopt PRINT_EXIT_VALUE\nTRAPZERR() { print -r -- zerr >>$HOME/zerr }\n" });
    steady(box);
    writeFileSync(join(box.state, "notice"), `${NOTICE}\n`);
    const run = await feed(box, "zsh", prompts(3));
    expect(run).toEqual({ code: 0, stdout: "", stderr: `${NOTICE}\n` });
    expect(existsSync(join(box.home, "zerr"))).toBe(false);
  });
});

describe("bash prompt hook among others", () => {
  // A well-behaved hook of the user's: it records what it saw and leaves $? as it found it.
  const user = (name: string, log: string): string => `${name}() { local s=$? p="\${PIPESTATUS[*]}"; echo "mine $s $p" >>${log}; return $s; }\n`;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
  const commands = ["false | true | (exit 3)", "echo after $? ${PIPESTATUS[*]}", "(exit 4)", ":"];
  const expected = "mine 0 0\nmine 3 1 0 3\nmine 0 0\nmine 4 4\nmine 0 0\n";

  test("keeps a string PROMPT_COMMAND; hooks before and after it see $? and PIPESTATUS", async () => {
    const box = await sandbox();
    const [log1, log2] = [join(box.home, "log1"), join(box.home, "log2")];
    writeRc(box, "bash", {
      before: `${user("mine", log1)}PROMPT_COMMAND='mine;'\n`,
      after: `later() { echo "later $?" >>${log2}; }\nPROMPT_COMMAND+=$'\\n'later\nPS1='[\${?} \${PIPESTATUS[*]}]'\n`,
    });
    steady(box);
    const run = await feed(box, "bash", commands);
    expect(run.stdout).toBe("after 3 1 0 3\n");
    expect(readFileSync(log1, "utf8")).toBe(expected);
    // A hook appended after iclaude's still sees the command's $?; bash restores PIPESTATUS for PS1.
    expect(readFileSync(log2, "utf8")).toBe("later 0\nlater 3\nlater 0\nlater 4\nlater 0\n");
    expect(run.stderr).toContain("[3 1 0 3]");
  });

  test("keeps an array PROMPT_COMMAND; hooks before and after it see $? and PIPESTATUS", async () => {
    const box = await sandbox();
    const [log1, log2] = [join(box.home, "log1"), join(box.home, "log2")];
    writeRc(box, "bash", {
      before: `${user("mine", log1)}PROMPT_COMMAND=(mine)\n`,
      after: `${user("theirs", log2)}PROMPT_COMMAND+=(theirs)\n`,
    });
    steady(box);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
    const run = await feed(box, "bash", ['printf "%s," "${PROMPT_COMMAND[@]}"; echo', ...commands]);
    expect(run.stdout).toBe("mine,__iclaude_hook,theirs,\nafter 3 1 0 3\n");
    expect(readFileSync(log1, "utf8")).toBe(`mine 0 0\n${expected}`);
    expect(readFileSync(log2, "utf8")).toBe(`mine 0 0\n${expected}`);
  });
});

describe("zsh prompt hook under the user's options", () => {
  test("ksh_arrays and ignore_close_braces: sourced without a word, the hook runs, the user's own precmd hooks all stay", async () => {
    const box = await sandbox();
    writeRc(box, "zsh", {
      before: "setopt KSH_ARRAYS IGNORE_CLOSE_BRACES\nmine() { print -r -- mine >>$HOME/ran; }\nprecmd_functions=(mine)\n",
      after: "later() { print -r -- later >>$HOME/ran; }\nprecmd_functions+=(later)\n",
    });
    due(box);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text
    const run = await feed(box, "zsh", [...prompts(3), 'print -r -- "${precmd_functions[@]}"']);
    expect(run).toEqual({ code: 0, stdout: "mine __iclaude_hook later\n", stderr: "" });
    expect(await settledCalls(box)).toEqual([REFRESH]);
    expect(readFileSync(join(box.home, "ran"), "utf8").match(/later/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
