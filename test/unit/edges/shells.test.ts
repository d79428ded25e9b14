import { describe, expect, test } from "bun:test";
import { quoteAnyShell } from "../../../src/edges/quote.ts";
import { INIT_SHELLS, SHELLS, type ShellName, userShell } from "../../../src/edges/shells.ts";

// Words a path or a description can hold that each shell would otherwise take apart.
const HOSTILE = ["plain", "a b", "it's", "back\\slash", "\\'", "$HOME `id` $(id)", "a\nb", "tab\there", "*?[x]", "%d", "!x", "~user", "'"];

/** What `shell` reads `word` as: printf of the one argument it makes. */
function readBack(shell: ShellName, word: string): string {
  const argv = shell === "sh" ? ["dash", "-c"] : [shell, "-c"];
  const run = Bun.spawnSync([...argv, `printf %s ${word}`], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  expect(run.stderr.toString()).toBe("");
  return run.stdout.toString();
}

describe("the shell table", () => {
  for (const name of Object.keys(SHELLS) as ShellName[]) {
    test(`${name} reads each of its quoted words back as one word, intact`, () => {
      for (const text of HOSTILE) expect(readBack(name, SHELLS[name].quote(text))).toBe(text);
    });
  }

  test("quoteAnyShell is read alike by sh, bash, zsh and fish", () => {
    for (const name of Object.keys(SHELLS) as ShellName[]) for (const text of HOSTILE) expect(readBack(name, quoteAnyShell(text))).toBe(text);
  });

  test("each shell init knows has its template, and the person's shell comes from $SHELL", () => {
    for (const name of INIT_SHELLS) expect(SHELLS[name].template).toContain("__iclaude_hook");
    expect(userShell({ SHELL: "/usr/bin/fish" }).name).toBe("fish");
    expect(userShell({ SHELL: "/bin/zsh" }).name).toBe("zsh");
    expect(userShell({ SHELL: "/bin/tcsh" }).name).toBe("bash");
    expect(userShell({}).name).toBe("bash");
  });
});
