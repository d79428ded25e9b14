import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { feed, SHELLS, type ShellName, sandbox, settledCalls, writeRc } from "../fixtures/shell/harness.ts";

const STRICT: Record<ShellName, string> = { zsh: "setopt ERR_EXIT NO_UNSET PIPE_FAIL\n", bash: "set -euo pipefail\n", fish: "" };
const nowS = (): number => Math.floor(Date.now() / 1000);
const prompt = (shell: ShellName): string => (shell === "fish" ? "emit fish_prompt" : ":");

/** Values no iclaude run writes: each must count as garbage (due now), not as a time to wait for. */
const OUT_OF_RANGE: Record<string, () => string> = {
  "the largest 64-bit integer": () => "9223372036854775807\n",
  "29 digits": () => `${"9".repeat(29)}\n`,
  "13 digits": () => "1000000000000\n",
  "a year ahead": () => `${nowS() + 365 * 86_400}\n`,
  "two days ahead": () => `${nowS() + 2 * 86_400}\n`,
  "20 MB of digits and no newline": () => "1".repeat(20_000_000),
  "a sound time followed by 20 MB": () => `${nowS() + 3600}${"7".repeat(20_000_000)}\n`,
};

for (const shell of SHELLS) {
  describe(`${shell} hook, next-check out of range`, () => {
    for (const [name, value] of Object.entries(OUT_OF_RANGE)) {
      test(`${name}: one background refresh now, which writes a sound next-check`, async () => {
        const box = await sandbox();
        writeRc(box, shell, { before: STRICT[shell] });
        writeFileSync(join(box.state, "next-check"), value());
        const run = await feed(box, shell, Array<string>(4).fill(prompt(shell)));
        expect(run.stderr).toBe("");
        // fish in a pipe writes its bracketed-paste switches to stdout: only the other shells' is empty.
        if (shell !== "fish") expect(run.stdout).toBe("");
        expect(await settledCalls(box)).toEqual(["[refresh][--background][--all]"]);
        const repaired = Number(readFileSync(join(box.state, "next-check"), "utf8"));
        expect(repaired).toBeGreaterThan(nowS());
        expect(repaired).toBeLessThanOrEqual(nowS() + 3600);
      });
    }

    test("a time within the day ahead is waited for, not taken as garbage", async () => {
      const box = await sandbox();
      writeRc(box, shell, { before: STRICT[shell] });
      writeFileSync(join(box.state, "next-check"), `${nowS() + 20 * 3600}\n`);
      const run = await feed(box, shell, Array<string>(3).fill(prompt(shell)));
      expect(run.stderr).toBe("");
      expect(await settledCalls(box, 0)).toEqual([]);
    });
  });
}
