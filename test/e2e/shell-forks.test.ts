import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { callsOf, due, interactive, type Sandbox, type ShellName, sandbox, settledCalls, shellEnv, steady, writeRc } from "../fixtures/shell/harness.ts";
import { defined } from "../helpers.ts";

/**
 * Processes an interactive shell starts over `prompts` prompts, counted by strace: every execve and
 * every fork/vfork/clone/clone3 that is not a thread.
 */
async function processesOver(box: Sandbox, shell: ShellName, prompts: number): Promise<string[]> {
  // fish reads piped commands without drawing prompts, so its prompt event is sent by hand.
  const line = shell === "fish" ? "emit fish_prompt" : ":";
  const trace = join(box.home, `trace.${shell}.${prompts}`);
  const proc = Bun.spawn(["strace", "-f", "-qq", "-o", trace, "-e", "trace=execve,clone,clone3,fork,vfork", ...interactive(box, shell)], {
    cwd: box.home,
    env: shellEnv(box),
    stdin: new TextEncoder().encode(`${Array<string>(prompts).fill(line).join("\n")}\n`),
    stdout: "ignore",
    stderr: "ignore",
    timeout: 30_000,
  });
  expect(await proc.exited).toBe(0);
  return readFileSync(trace, "utf8")
    .split("\n")
    .filter((l) => /\b(execve|clone3?|v?fork)\(/.test(l) && !l.includes("CLONE_THREAD"));
}

/** The programs an interactive shell execs while it reads its rc file and exits. */
function execsAtStart(box: Sandbox, shell: "zsh" | "bash"): string[] {
  const trace = join(box.home, `start.${shell}`);
  const argv = [...interactive(box, shell), "-c", "exit"];
  Bun.spawnSync(["strace", "-f", "-qq", "-o", trace, "-e", "trace=execve", ...argv], {
    cwd: box.home,
    env: shellEnv(box),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  // strace writes the path as a C string: `\"` for a quote.
  return [...readFileSync(trace, "utf8").matchAll(/execve\(("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(defined(m[1])) as string).slice(1);
}

describe("a new shell", () => {
  for (const shell of ["zsh", "bash"] as const) {
    test(`${shell}: install.sh's rc line starts no process; the eval form starts the binary`, async () => {
      const box = await sandbox({ realBinary: true });
      const cache = join(box.home, `cache dir/init.${shell}`);
      const quoted = `'${cache}'`;
      const bin = `'${box.fake.replaceAll("'", "'\\''")}'`;
      writeRc(box, shell, { before: `[ -r ${quoted} ] && . ${quoted} || eval "$(${bin} init ${shell} --cache ${quoted})"\n`, times: 0 });
      // The first start writes the file; every start after it only reads it.
      expect(execsAtStart(box, shell)).toEqual([box.fake]);
      expect(existsSync(cache)).toBe(true);
      expect(execsAtStart(box, shell)).toEqual([]);
      writeRc(box, shell, { before: `eval "$(${bin} init ${shell})"\n`, times: 0 });
      expect(execsAtStart(box, shell)).toEqual([box.fake]);
    }, 40_000);
  }
});

describe("steady state costs no process", () => {
  for (const shell of ["zsh", "bash", "fish"] as const) {
    test(`${shell}: 105 prompts start as many processes as 5`, async () => {
      const box = await sandbox();
      writeRc(box, shell);
      steady(box);
      // A first start does one-time work (fish caches `uname` in a universal variable).
      await processesOver(box, shell, 1);
      const few = await processesOver(box, shell, 5);
      const many = await processesOver(box, shell, 105);
      expect(many.length).toBe(few.length);
      expect(callsOf(box)).toEqual([]);
    }, 40_000);
  }

  test("bash without $EPOCHSECONDS (as 4.2 to 4.4): printf's clock, still no process", async () => {
    const box = await sandbox();
    writeRc(box, "bash", { before: "unset EPOCHSECONDS\n" });
    steady(box);
    await processesOver(box, "bash", 1);
    const few = await processesOver(box, "bash", 5);
    const many = await processesOver(box, "bash", 105);
    expect(many.length).toBe(few.length);
    due(box);
    await processesOver(box, "bash", 5);
    expect(await settledCalls(box)).toEqual(["[refresh][--background][--all]"]);
  }, 40_000);

  for (const shell of ["zsh", "bash", "fish"] as const) {
    test(`${shell}: a due prompt starts processes, so the count sees them`, async () => {
      const box = await sandbox();
      writeRc(box, shell);
      steady(box);
      const before = await processesOver(box, shell, 5);
      due(box);
      const after = await processesOver(box, shell, 5);
      expect(after.length).toBeGreaterThan(before.length);
      expect(await settledCalls(box)).toEqual(["[refresh][--background][--all]"]);
    }, 40_000);
  }
});
