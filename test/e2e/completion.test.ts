import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CommandNode, commandTree } from "../../src/cli/tree.ts";
import { commands } from "../../src/commands/index.ts";
import { sandbox, shellEnv, steady, terminal, writeRc } from "../fixtures/shell/harness.ts";
import { baseEnv, defined, runBin, tempHome, waitFor } from "../helpers.ts";

/** At zsh's `Z> ` prompt, <Tab> completes a subcommand and then a flag. */
async function completesSubcommandAndFlag(term: ReturnType<typeof terminal>): Promise<void> {
  term.keys("iclaude hooks ins", "Tab");
  await waitFor(() => term.screen().includes("Z> iclaude hooks install"));
  term.keys("", "C-u");
  term.keys("iclaude refresh --fo", "Tab");
  await waitFor(() => term.screen().includes("Z> iclaude refresh --force"));
}

/** What the definitions say may follow `iclaude <path>`: subcommands, the first positional's choices, flags. */
function declared(node: CommandNode): string[] {
  const words = node.subs.map((s) => defined(s.path.at(-1)));
  words.push(...(node.args.find((a) => a.kind === "positional")?.choices ?? []));
  for (const arg of node.args) {
    if (arg.kind === "positional") continue;
    if (!arg.onByDefault) words.push(`--${arg.name}`, ...arg.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)));
    if (arg.negatable) words.push(`--no-${arg.name}`);
  }
  return words.sort();
}

const everyNode = (nodes: CommandNode[]): CommandNode[] => nodes.flatMap((n) => [n, ...everyNode(n.subs)]);

describe("completion", () => {
  test("bash and fish complete, for every command, exactly what its definition declares", async () => {
    const nodes = everyNode(await commandTree(commands));
    const home = tempHome();
    const script = (shell: string) => join(home, `completion.${shell}`);
    for (const shell of ["bash", "fish"]) {
      const run = await runBin(["completion", shell], { home });
      expect(run.code).toBe(0);
      writeFileSync(script(shell), run.stdout);
    }
    const bashLines = nodes.map(
      (n) => `COMP_WORDS=(iclaude ${n.path.join(" ")} ''); COMP_CWORD=${n.path.length + 1}; __iclaude_complete; echo "\${COMPREPLY[*]}"`,
    );
    const bash = Bun.spawnSync(["bash", "-c", `source '${script("bash")}'; ${bashLines.join("; ")}`], { stdout: "pipe", stderr: "pipe" });
    expect(bash.stderr.toString()).toBe("");
    const fishLines = nodes.map((n) => `complete -C 'iclaude ${n.path.join(" ")} '; echo ---`);
    const fish = Bun.spawnSync(["fish", "--no-config", "-c", `source '${script("fish")}'; ${fishLines.join("; ")}`], { stdout: "pipe", stderr: "pipe" });
    expect(fish.stderr.toString()).toBe("");
    const bashAnswers = bash.stdout
      .toString()
      .split("\n")
      .slice(0, nodes.length)
      .map((l) => l.split(" ").filter(Boolean).sort());
    const fishAnswers = fish.stdout
      .toString()
      .split("---\n")
      .slice(0, nodes.length)
      .map((b) =>
        b
          .split("\n")
          .filter(Boolean)
          .map((l) => defined(l.split("\t")[0]))
          .sort(),
      );
    const expected = nodes.map(declared);
    expect(bashAnswers).toEqual(expected);
    expect(fishAnswers).toEqual(expected);
    expect(expected.flat()).toContain("--force");
  });

  test("the top level offers every command of the table, run, help and the own flags", async () => {
    const names = (await commandTree(commands)).map((n) => defined(n.path[0]));
    const home = tempHome();
    const run = await runBin(["completion", "bash"], { home });
    writeFileSync(join(home, "c.bash"), run.stdout);
    const bash = Bun.spawnSync(
      ["bash", "-c", `source '${join(home, "c.bash")}'; COMP_WORDS=(iclaude ''); COMP_CWORD=1; __iclaude_complete; echo "\${COMPREPLY[*]}"`],
      { stdout: "pipe" },
    );
    expect(bash.stdout.toString().trim().split(" ")).toEqual([...names, "run", "help", "--help", "--version", "--refresh-token"]);
  });

  test("an unknown shell is exit 2 in one sentence", async () => {
    const run = await runBin(["completion", "tcsh"], { home: tempHome() });
    expect(run).toEqual({ code: 2, stdout: "", stderr: 'iclaude: `iclaude completion` does not know shell "tcsh"; use one of zsh, bash, fish.\n' });
  });

  test("zsh completes at a terminal even when .zshrc never runs compinit", async () => {
    const box = await sandbox();
    writeRc(box, "zsh", { prompt: "Z> " });
    steady(box);
    const term = terminal(box, "zsh", shellEnv(box));
    try {
      await waitFor(() => term.screen().includes("Z>"));
      term.keys("iclaude sta", "Tab");
      await waitFor(() => term.screen().includes("Z> iclaude status"));
      term.keys("", "C-u");
      await completesSubcommandAndFlag(term);
    } finally {
      term.close();
    }
  }, 30_000);

  test("saved where each shell looks completions up, it completes with nothing else set up", async () => {
    const box = await sandbox();
    const save = async (shell: string, path: string): Promise<string> => {
      const run = await runBin(["completion", shell], { home: box.home });
      expect(run.code).toBe(0);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, run.stdout);
      return run.stdout;
    };
    expect(await save("zsh", join(box.home, ".zfunc/_iclaude"))).toStartWith("#compdef iclaude\n");
    const bashFile = join(box.home, ".local/share/bash-completion/completions/iclaude");
    await save("bash", bashFile);
    await save("fish", join(box.home, ".config/fish/completions/iclaude.fish"));
    // An iclaude on PATH, as fish loads a command's completions file only for a command it finds.
    const env = baseEnv(box.home, { PATH: `${dirname(box.fake)}:/usr/bin:/bin` });

    // bash-completion sources the file named after the command on its first <Tab>.
    const bash = Bun.spawnSync(["bash", "-c", `source '${bashFile}'; complete -p iclaude`], { env, stdout: "pipe", stderr: "pipe" });
    expect([bash.stdout.toString(), bash.stderr.toString()]).toEqual(["complete -o default -F __iclaude_complete iclaude\n", ""]);
    const fish = Bun.spawnSync(["fish", "-c", "complete -C 'iclaude hooks ins'"], { env, stdout: "pipe", stderr: "pipe" });
    expect([fish.stdout.toString().split("\t")[0], fish.stderr.toString()]).toEqual(["install", ""]);

    // zsh: compinit registers the file by its #compdef line; the first <Tab> loads it, and it completes.
    writeFileSync(join(box.home, ".zshrc"), `PS1='Z> '\nfpath=(${join(box.home, ".zfunc")} $fpath)\nautoload -Uz compinit; compinit -u -D\n`);
    const term = terminal(box, "zsh");
    try {
      await waitFor(() => term.screen().includes("Z>"));
      term.type("print -r -- registered:$_comps[iclaude]");
      await waitFor(() => term.screen().includes("registered:_iclaude"));
      await completesSubcommandAndFlag(term);
    } finally {
      term.close();
    }
  }, 30_000);

  test("zsh picks the completion system up when compinit runs after the integration line", async () => {
    const box = await sandbox();
    writeRc(box, "zsh", { after: "autoload -Uz compinit; compinit -u -D\n", prompt: "Z> " });
    steady(box);
    const term = terminal(box, "zsh");
    try {
      await waitFor(() => term.screen().includes("Z>"));
      term.keys("iclaude init ", "Tab");
      await waitFor(() => /bash\s+fish\s+zsh/.test(term.screen()));
    } finally {
      term.close();
    }
  }, 30_000);
});
