import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commandTree } from "../../src/cli/tree.ts";
import { commands } from "../../src/commands/index.ts";
import { renderCompletion } from "../../src/ui/completions.ts";
import { callsOf, SHELLS, sandbox, shellEnv, steady, terminal, writeRc } from "../fixtures/shell/harness.ts";
import { BIN, baseEnv, defined, runBin, tempHome, waitFor } from "../helpers.ts";

const render = async (args: string[]): Promise<string> => {
  const run = await runBin(["init", ...args], { home: tempHome() });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout;
};

const check = (argv: string[], input: string): { code: number; out: string } => {
  const proc = Bun.spawnSync(argv, { stdin: new TextEncoder().encode(input), stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode, out: proc.stdout.toString() + proc.stderr.toString() };
};

describe("iclaude init", () => {
  for (const shell of SHELLS) {
    test(`renders the ${shell} integration calling this binary (snapshot)`, async () => {
      const script = await render([shell]);
      const quoted = `'${BIN}'`;
      expect(script).toContain(quoted);
      expect(script).not.toContain("@ICLAUDE_BIN@");
      // The completion is generated from the command definitions and tested against them elsewhere.
      const completion = renderCompletion(shell, await commandTree(commands));
      expect(script).toContain(completion);
      expect(script.replace(completion, "<completion>\n").replaceAll(quoted, "'<iclaude>'")).toMatchSnapshot();
    });
  }

  test("the bash integration is shellcheck clean", async () => {
    expect(check(["shellcheck", "--shell=bash", "-"], await render(["bash"]))).toEqual({ code: 0, out: "" });
  });

  test("the zsh integration parses (zsh -n)", async () => {
    expect(check(["zsh", "-n"], await render(["zsh"]))).toEqual({ code: 0, out: "" });
  });

  test("the fish integration parses (fish -n)", async () => {
    expect(check(["fish", "-n"], await render(["fish"]))).toEqual({ code: 0, out: "" });
  });

  for (const shell of SHELLS) {
    test(`--no-claude-function leaves claude alone in ${shell}`, async () => {
      const script = await render([shell, "--no-claude-function"]);
      expect(script).not.toMatch(/function claude/);
      expect(script).toContain("__iclaude_hook");
    });
  }

  test("an unknown shell is a usage error in one sentence", async () => {
    const run = await runBin(["init", "tcsh"], { home: tempHome() });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('iclaude: `iclaude init` does not know shell "tcsh"; use one of zsh, bash, fish.\n');
  });

  test("a binary path with a space and quotes is called intact, arguments too", async () => {
    const box = await sandbox();
    const calls = {
      zsh: ["zsh", "-c", `source ${JSON.stringify(join(box.home, "init.zsh"))}; claude -p 'a b' "it's"`],
      bash: ["bash", "-c", `source ${JSON.stringify(join(box.home, "init.bash"))}; claude -p 'a b' "it's"`],
      fish: ["fish", "-c", `source ${JSON.stringify(join(box.home, "init.fish"))}; claude -p 'a b' "it's"`],
    };
    // Sourced non-interactively: the integration defines nothing, so claude is not found.
    for (const argv of Object.values(calls)) {
      const proc = Bun.spawnSync(argv, { env: shellEnv(box), stdout: "pipe", stderr: "pipe" });
      expect(proc.exitCode).not.toBe(0);
    }
    expect(callsOf(box)).toEqual([]);
    for (const argv of Object.values(calls)) {
      const forced = [defined(argv[0]), "-i", ...argv.slice(1)];
      const proc = Bun.spawnSync(forced, { env: shellEnv(box), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      expect(proc.exitCode).toBe(0);
    }
    expect(callsOf(box)).toEqual(Array(3).fill("[--][-p][a b][it's]"));
  });

  test("completes iclaude's own commands in bash and fish without a process", async () => {
    const box = await sandbox();
    const lines = ["iclaude r", "iclaude init ''", "iclaude hooks ''", "iclaude hooks run ''", "iclaude hooks install --"];
    const complete = lines.map((l) => `COMP_WORDS=(${l}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); __iclaude_complete; echo "\${COMPREPLY[*]}"`).join("; ");
    const bash = Bun.spawnSync(["bash", "-i", "-c", `source ${JSON.stringify(join(box.home, "init.bash"))}; ${complete}`], {
      env: shellEnv(box),
      stdout: "pipe",
      stderr: "ignore",
    });
    expect(bash.stdout.toString().split("\n")).toEqual([
      "refresh run",
      "zsh bash fish --no-claude-function --cache",
      "install run",
      "pre-commit prepare-commit-msg commit-msg applypatch-msg pre-applypatch",
      "--global --force --uninstall --all",
      "",
    ]);
    const asked = ["iclaude sta", "iclaude init ", "iclaude hooks ", "iclaude hooks run ", "iclaude hooks install --"];
    const fish = Bun.spawnSync(
      ["fish", "-i", "-c", `source ${JSON.stringify(join(box.home, "init.fish"))}; ${asked.map((l) => `complete -C '${l}'; echo`).join("; ")}`],
      {
        env: shellEnv(box),
        stdout: "pipe",
        stderr: "ignore",
      },
    );
    const answers = fish.stdout
      .toString()
      .split("\n\n")
      .map((block) =>
        block
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split("\t")[0])
          .sort(),
      );
    expect(answers).toEqual([
      ["status"],
      ["--cache", "--no-claude-function", "bash", "fish", "zsh"],
      ["install", "run"],
      ["applypatch-msg", "commit-msg", "pre-applypatch", "pre-commit", "prepare-commit-msg"],
      ["--all", "--force", "--global", "--uninstall"],
      [],
    ]);
  });

  test("completes iclaude's own commands in zsh, through compinit, at a terminal", async () => {
    const box = await sandbox();
    writeRc(box, "zsh", { before: "autoload -Uz compinit; compinit -u -D\n", prompt: "Z> " });
    steady(box);
    const term = terminal(box, "zsh");
    try {
      await waitFor(() => term.screen().includes("Z>"));
      term.keys("iclaude sta", "Tab");
      await waitFor(() => term.screen().includes("Z> iclaude status"));
      term.keys("", "C-u");
      term.keys("iclaude init ", "Tab");
      await waitFor(() => /bash\s+fish\s+zsh/.test(term.screen()));
      term.keys("", "C-u");
      term.keys("iclaude hooks ", "Tab");
      await waitFor(() => /^install {2}-- [\s\S]*^run {2}-- /m.test(term.screen()));
      term.keys("", "C-u");
      term.keys("iclaude hooks run ", "Tab");
      await waitFor(() => /applypatch-msg\s+commit-msg\s+pre-applypatch\s+pre-commit\s+prepare-commit-msg/.test(term.screen()));
      term.keys("", "C-u");
      term.keys("iclaude status --j", "Tab");
      await waitFor(() => term.screen().includes("Z> iclaude status --json"));
    } finally {
      term.close();
    }
  }, 30_000);
});

describe("the cached integration after the binary moved", () => {
  // Installed as a symlink to a versioned dir; an upgrade moves the dir and points the symlink at the new one.
  const RC = {
    zsh: (c: string) => `[ -r '${c}' ] && . '${c}' || eval "$(iclaude init zsh --cache '${c}')"\n`,
    bash: (c: string) => `[ -r '${c}' ] && . '${c}' || eval "$(iclaude init bash --cache '${c}')"\n`,
    fish: (c: string) => `test -r '${c}'; and source '${c}'; or iclaude init fish --cache '${c}' | source\n`,
  };
  for (const shell of ["zsh", "bash", "fish"] as const) {
    test(`${shell}: the rc line has the iclaude on PATH write it again, and nothing is said`, () => {
      const home = tempHome();
      mkdirSync(join(home, "v1"));
      mkdirSync(join(home, "bin"));
      copyFileSync(BIN, join(home, "v1", "iclaude"));
      symlinkSync(join(home, "v1", "iclaude"), join(home, "bin", "iclaude"));
      const cache = join(home, ".cache", `init.${shell}`);
      const env = baseEnv(home, { PATH: `${join(home, "bin")}:/usr/bin:/bin` });
      expect(Bun.spawnSync([join(home, "bin", "iclaude"), "init", shell, "--cache", cache], { env }).exitCode).toBe(0);
      expect(readFileSync(cache, "utf8")).toContain(join(home, "v1", "iclaude"));
      renameSync(join(home, "v1"), join(home, "v2"));
      rmSync(join(home, "bin", "iclaude"));
      symlinkSync(join(home, "v2", "iclaude"), join(home, "bin", "iclaude"));
      const rc = { zsh: join(home, ".zshrc"), bash: join(home, ".bashrc"), fish: join(home, ".config", "fish", "config.fish") }[shell];
      mkdirSync(join(rc, ".."), { recursive: true });
      writeFileSync(rc, RC[shell](cache));
      const argv = {
        zsh: ["zsh", "-i", "-c", "functions claude"],
        bash: ["bash", "-i", "-c", "declare -f claude"],
        fish: ["fish", "-i", "-c", "functions claude"],
      }[shell];
      const run = Bun.spawnSync(argv, { cwd: home, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      // bash -i with no terminal says so itself; nothing else may be said.
      const said = run.stderr.toString().replace(/^bash: (cannot set terminal process group|no job control).*\n/gm, "");
      expect([run.exitCode, said]).toEqual([0, ""]);
      expect(run.stdout.toString()).toContain(join(home, "v2", "iclaude"));
      expect(readFileSync(cache, "utf8")).not.toContain(join(home, "v1", "iclaude"));
    }, 30_000);
  }
});
