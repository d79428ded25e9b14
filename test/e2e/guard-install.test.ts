import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, baseEnv, expectNoSecrets, fakeToken } from "../helpers.ts";
import { commitCount, makeRepo, type Repo } from "./guard-repo.ts";

const HOOKS = ["pre-commit", "prepare-commit-msg", "commit-msg", "applypatch-msg", "pre-applypatch"];
const hook = (repo: Repo, name: string, dir = join(repo.dir, ".git", "hooks")) => join(dir, name);

function writeHook(path: string, body: string): string {
  const text = `#!/bin/sh\n${body}\n`;
  writeFileSync(path, text, { mode: 0o755 });
  return text;
}

describe("iclaude hooks install (per repository)", () => {
  test("installs the five hooks (git commit's three, git am's two); running it again changes nothing", async () => {
    const repo = await makeRepo();
    const first = await repo.iclaude(["hooks", "install"]);
    expect(first.code).toBe(0);
    for (const name of HOOKS) expect(first.stdout).toContain(`${hook(repo, name)}: installed`);
    expect(readFileSync(hook(repo, "pre-applypatch"), "utf8")).toContain('exec "$iclaude" hooks run pre-applypatch "$@"');
    const before = readFileSync(hook(repo, "pre-commit"), "utf8");
    expect(before).toContain(`iclaude='${BIN}'\n`);
    expect(before).toContain('exec "$iclaude" hooks run pre-commit "$@"');
    expect(statSync(hook(repo, "pre-commit")).mode & 0o111).toBe(0o111);
    const again = await repo.iclaude(["hooks", "install"]);
    expect(again.stdout).toBe(HOOKS.map((h) => `${hook(repo, h)}: already installed\n`).join(""));
    expect(readFileSync(hook(repo, "pre-commit"), "utf8")).toBe(before);
  });

  test("an existing hook is kept and runs first; its failure still blocks; --uninstall restores it", async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo.dir, ".git", "hooks"), { recursive: true });
    const original = writeHook(hook(repo, "pre-commit"), 'echo "lint says no" >&2; exit 3');
    const installed = await repo.iclaude(["hooks", "install"]);
    expect(installed.stdout).toContain("the hook that was there runs first");
    const failed = await repo.commit({ "a.txt": "clean\n" });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("lint says no");
    writeHook(hook(repo, "pre-commit.iclaude-legacy"), `touch "${join(repo.home, "legacy-ran")}"`);
    const token = fakeToken("oat01");
    const blocked = await repo.commit({ "b.txt": `${token}\n` });
    expect(blocked.code).toBe(1);
    expect(existsSync(join(repo.home, "legacy-ran"))).toBe(true);
    expectNoSecrets([blocked.stderr], [token]);
    writeHook(hook(repo, "pre-commit.iclaude-legacy"), original.split("\n")[1] as string);
    const removed = await repo.iclaude(["hooks", "install", "--uninstall"]);
    expect(removed.stdout).toContain("removed; the previous hook is back");
    expect(readFileSync(hook(repo, "pre-commit"), "utf8")).toBe(original);
    expect(existsSync(hook(repo, "prepare-commit-msg"))).toBe(false);
  });

  test("a stub run by hand from the hooks dir (`sh pre-commit`, $0 a bare name) still runs the hook that was there", async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo.dir, ".git", "hooks"), { recursive: true });
    writeHook(hook(repo, "pre-commit"), 'echo "lint says no" >&2; exit 3');
    await repo.iclaude(["hooks", "install"]);
    const run = Bun.spawnSync(["sh", "pre-commit"], {
      cwd: join(repo.dir, ".git", "hooks"),
      env: baseEnv(repo.home, repo.env),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect([run.exitCode, run.stderr.toString()]).toEqual([3, "lint says no\n"]);
  });

  test("an existing commit-msg hook is chained: it runs first with the message file, then the scan", async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo.dir, ".git", "hooks"), { recursive: true });
    writeHook(hook(repo, "commit-msg"), 'grep -q "^feat" "$1" || { echo "commitlint: start with feat" >&2; exit 5; }');
    expect((await repo.iclaude(["hooks", "install"])).stdout).toContain(`${hook(repo, "commit-msg")}: installed; the hook that was there runs first`);
    repo.write("a.txt", "clean\n");
    await repo.git(["add", "a.txt"]);
    const refused = await repo.git(["commit", "-q", "-m", "chore: x"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("commitlint: start with feat");
    const token = fakeToken("oat01");
    const blocked = await repo.git(["commit", "-q", "-m", `feat: ${token}`]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("commit message:1  Claude OAuth access token");
    expectNoSecrets([blocked.stderr], [token]);
    expect((await repo.git(["commit", "-q", "-m", "feat: clean"])).code).toBe(0);
    expect((await repo.iclaude(["hooks", "install", "--uninstall"])).stdout).toContain(`${hook(repo, "commit-msg")}: removed; the previous hook is back`);
  });

  test("never overwrites a chained hook without --force", async () => {
    const repo = await makeRepo({ install: true });
    writeHook(hook(repo, "pre-commit.iclaude-legacy"), "exit 0");
    writeHook(hook(repo, "pre-commit"), "echo other tool; exit 0");
    const refused = await repo.iclaude(["hooks", "install"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("rerun with --force");
    expect(readFileSync(hook(repo, "pre-commit"), "utf8")).toContain("other tool");
    expect((await repo.iclaude(["hooks", "install", "--force"])).code).toBe(0);
    expect(readFileSync(hook(repo, "pre-commit.iclaude-legacy"), "utf8")).toContain("other tool");
  });

  test("honours core.hooksPath", async () => {
    const repo = await makeRepo();
    await repo.git(["config", "core.hooksPath", ".githooks"]);
    expect((await repo.iclaude(["hooks", "install"])).code).toBe(0);
    expect(existsSync(join(repo.dir, ".githooks", "pre-commit"))).toBe(true);
    expect(existsSync(hook(repo, "pre-commit"))).toBe(false);
    expect((await repo.commit({ "a.txt": `${fakeToken("ort01")}\n` })).code).toBe(1);
  });

  test("honours worktrees: installed once in the common hooks, guarding every worktree, --no-verify too", async () => {
    const repo = await makeRepo();
    await repo.commit({ README: "x\n" });
    const wt = join(repo.home, "wt");
    expect((await repo.git(["worktree", "add", "-q", wt])).code).toBe(0);
    const env = baseEnv(repo.home, repo.env);
    const inWt = async (argv: string[]) => {
      const p = Bun.spawn(argv, { cwd: wt, env, stdout: "pipe", stderr: "pipe" });
      return { code: await p.exited, stderr: await new Response(p.stderr).text() };
    };
    expect((await inWt([BIN, "hooks", "install"])).code).toBe(0);
    expect(existsSync(hook(repo, "pre-commit"))).toBe(true);
    writeFileSync(join(wt, "k.txt"), `${fakeToken("api03")}\n`);
    await inWt(["git", "add", "k.txt"]);
    const run = await inWt(["git", "commit", "-q", "--no-verify", "-m", "x"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("k.txt:1  Anthropic API key");
  });

  test("a .git file pointing elsewhere (a submodule, --separate-git-dir) is guarded, --no-verify too", async () => {
    const repo = await makeRepo();
    rmSync(join(repo.dir, ".git"), { recursive: true });
    expect((await repo.git(["init", "-q", `--separate-git-dir=${join(repo.home, "sep.git")}`])).code).toBe(0);
    expect((await repo.iclaude(["hooks", "install"])).stdout).toContain(join(repo.home, "sep.git", "hooks", "pre-commit"));
    repo.write("a.txt", "clean\n");
    await repo.git(["add", "a.txt"]);
    expect((await repo.iclaude(["hooks", "run", "pre-commit"], { GIT_INDEX_FILE: join(repo.home, "sep.git", "index") })).code).toBe(0);
    expect(existsSync(join(repo.home, "sep.git", "iclaude-guard-passed"))).toBe(true);
    expect((await repo.git(["commit", "-q", "-m", "clean"])).code).toBe(0);
    expect(existsSync(join(repo.home, "sep.git", "iclaude-guard-passed"))).toBe(false);
    const token = fakeToken("oat01");
    const run = await repo.commit({ "b.txt": `${token}\n` }, {}, ["--no-verify"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("b.txt:1  Claude OAuth access token");
  });

  test("quotes the binary's path, and a missing binary warns without failing the commit", async () => {
    const repo = await makeRepo();
    const dir = join(repo.home, `it's "odd" $dir`);
    mkdirSync(dir);
    const copy = join(dir, "iclaude");
    copyFileSync(BIN, copy);
    const p = Bun.spawn([copy, "hooks", "install"], { cwd: repo.dir, env: baseEnv(repo.home, repo.env), stdout: "pipe", stderr: "pipe" });
    expect(await p.exited).toBe(0);
    expect((await repo.commit({ "a.txt": `${fakeToken("oat01")}\n` })).code).toBe(1);
    rmSync(copy);
    const run = await repo.git(["commit", "-q", "-m", "x"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("is gone, so this commit was not checked for secrets");
  });
});

test("outside a repository, and for an unknown hook: one sentence each", async () => {
  const repo = await makeRepo();
  const p = Bun.spawn([BIN, "hooks", "install"], { cwd: repo.home, env: baseEnv(repo.home, repo.env), stderr: "pipe" });
  expect(await p.exited).toBe(2);
  expect(await new Response(p.stderr).text()).toBe("iclaude: Not inside a git repository; run `iclaude hooks install` in one, or add --global.\n");
  const outside = Bun.spawn([BIN, "hooks", "run", "pre-commit"], { cwd: repo.home, env: baseEnv(repo.home, repo.env), stderr: "pipe" });
  expect(await outside.exited).toBe(2);
  expect(await new Response(outside.stderr).text()).toMatch(/^iclaude: Cannot find the git directory: git says "fatal: not a git repository.*"\.\n$/);
  const bad = await repo.iclaude(["hooks", "run", "pre-push"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe(
    'iclaude: `iclaude hooks run` does not know hook "pre-push"; use one of pre-commit, prepare-commit-msg, commit-msg, applypatch-msg, pre-applypatch.\n',
  );
});

/** The programs a hook starts as git runs it (cwd the work tree's top, GIT_INDEX_FILE set), read by strace, with the env of each. */
function programsOf(repo: Repo, hookPath: string): { program: string; jitOff: boolean }[] {
  const trace = join(repo.home, "hook.trace");
  Bun.spawnSync(["strace", "-f", "-qq", "-v", "-s", "256", "-o", trace, "-e", "trace=execve", hookPath], {
    cwd: repo.dir,
    env: baseEnv(repo.home, { ...repo.env, GIT_INDEX_FILE: ".git/index" }),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  return readFileSync(trace, "utf8")
    .split("\n")
    .filter((line) => line.includes("execve(") && line.includes(" = 0"))
    .map((line) => ({ program: /execve\("([^"]+)"/.exec(line)?.[1] ?? "", jitOff: line.includes('"BUN_JSC_useJIT=0"') }));
}

describe("what a hook costs every commit", () => {
  test("no process but the binary (and the git it asks) when no hook is chained; the JIT is switched off from the binary on", async () => {
    for (const global of [false, true]) {
      const repo = await makeRepo();
      await repo.iclaude(["hooks", "install", ...(global ? ["--global"] : [])]);
      writeFileSync(join(repo.dir, "a.txt"), "one line\n");
      await repo.git(["add", "a.txt"]);
      const dir = global ? join(repo.home, ".config", "iclaude", "hooks") : join(repo.dir, ".git", "hooks");
      const programs = programsOf(repo, join(dir, "pre-commit"));
      expect(programs.map((p) => p.program.split("/").at(-1))).toEqual(["pre-commit", BIN.split("/").at(-1), "git"]);
      expect(programs.map((p) => p.jitOff)).toEqual([false, true, true]);
    }
  });
});

describe("iclaude hooks install --global", () => {
  test("guards every repository, still runs each repository's own hooks, and --uninstall restores", async () => {
    const repo = await makeRepo();
    const gitconfig = repo.env.GIT_CONFIG_GLOBAL as string;
    const installed = await repo.iclaude(["hooks", "install", "--global"]);
    expect(installed.code).toBe(0);
    const ours = join(repo.home, ".config", "iclaude", "hooks");
    expect((await repo.git(["config", "--global", "core.hooksPath"])).stdout.trim()).toBe(ours);
    expect((await repo.iclaude(["hooks", "install", "--global"])).stdout).toContain("already installed");
    mkdirSync(join(repo.dir, ".git", "hooks"), { recursive: true });
    writeHook(hook(repo, "pre-commit"), 'echo "repo hook ran" >&2; exit 0');
    const blocked = await repo.commit({ "a.txt": `${fakeToken("admin01")}\n` });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain("repo hook ran");
    writeHook(hook(repo, "pre-commit"), "exit 5");
    await repo.git(["reset", "-q"]);
    expect((await repo.commit({ "b.txt": "clean\n" })).code).not.toBe(0);
    rmSync(hook(repo, "pre-commit"));
    expect((await repo.git(["commit", "-q", "-m", `x ${fakeToken("oat01")}`])).stderr).toContain("commit message:1  Claude OAuth access token");
    expect((await repo.git(["commit", "-q", "-m", "x"])).code).toBe(0);
    const removed = await repo.iclaude(["hooks", "install", "--global", "--uninstall"]);
    expect(removed.stdout).toContain("core.hooksPath: unset");
    expect(readFileSync(gitconfig, "utf8")).not.toContain("hooksPath");
    expect(existsSync(ours)).toBe(false);
  });

  test("chains a global core.hooksPath the user already had, and puts it back", async () => {
    const repo = await makeRepo();
    const theirs = join(repo.home, "my-hooks");
    mkdirSync(theirs);
    writeHook(join(theirs, "pre-commit"), `touch "${join(repo.home, "theirs-ran")}"`);
    await repo.git(["config", "--global", "core.hooksPath", theirs]);
    expect((await repo.iclaude(["hooks", "install", "--global"])).code).toBe(0);
    expect((await repo.commit({ "a.txt": "clean\n" })).code).toBe(0);
    expect(existsSync(join(repo.home, "theirs-ran"))).toBe(true);
    expect(await commitCount(repo)).toBe(1);
    const removed = await repo.iclaude(["hooks", "install", "--global", "--uninstall"]);
    expect(removed.stdout).toContain(`core.hooksPath: restored to ${theirs}`);
    expect((await repo.git(["config", "--global", "core.hooksPath"])).stdout.trim()).toBe(theirs);
  });

  test("a relative global core.hooksPath stays each repository's own, and is put back as written", async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo.dir, ".githooks"));
    writeHook(join(repo.dir, ".githooks", "pre-commit"), `touch "${join(repo.home, "githooks-ran")}"`);
    await repo.git(["config", "--global", "core.hooksPath", ".githooks"]);
    expect((await repo.iclaude(["hooks", "install", "--global"])).code).toBe(0);
    expect((await repo.commit({ "a.txt": "clean\n" })).code).toBe(0);
    expect(existsSync(join(repo.home, "githooks-ran"))).toBe(true);
    expect((await repo.commit({ "b.txt": `${fakeToken("oat01")}\n` })).code).toBe(1);
    expect((await repo.iclaude(["hooks", "install", "--global", "--uninstall"])).code).toBe(0);
    expect((await repo.git(["config", "--global", "core.hooksPath"])).stdout.trim()).toBe(".githooks");
  });

  test("a repository install refuses the global hooks dir, so it can neither overwrite nor remove them", async () => {
    const repo = await makeRepo();
    expect((await repo.iclaude(["hooks", "install", "--global"])).code).toBe(0);
    const ours = join(repo.home, ".config", "iclaude", "hooks", "pre-commit");
    const before = readFileSync(ours, "utf8");
    for (const args of [
      ["hooks", "install"],
      ["hooks", "install", "--uninstall"],
    ]) {
      const run = await repo.iclaude(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "iclaude: This repository runs iclaude's global hooks already (the global core.hooksPath); use `iclaude hooks install --global`, or `--global --uninstall`.\n",
      );
    }
    expect(readFileSync(ours, "utf8")).toBe(before);
  });

  test("a repository's hooks managed by husky are left to husky, with the lines to add", async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo.dir, ".husky", "_"), { recursive: true });
    await repo.git(["config", "core.hooksPath", ".husky/_"]);
    const run = await repo.iclaude(["hooks", "install"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("husky manages this repository's hooks");
    expect(run.stderr).toContain('hooks run pre-commit "$@"` to .husky/pre-commit');
    expect(run.stderr).toContain('hooks run pre-applypatch "$@"` to .husky/pre-applypatch');
    expect(existsSync(join(repo.dir, ".husky", "_", "pre-commit"))).toBe(false);
  });

  test("the chained hook is found by name, even after another tool renames iclaude's stub", async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo.dir, ".git", "hooks"), { recursive: true });
    writeHook(hook(repo, "pre-commit"), 'echo "original hook" >&2; exit 4');
    expect((await repo.iclaude(["hooks", "install"])).code).toBe(0);
    renameSync(hook(repo, "pre-commit"), hook(repo, "pre-commit.legacy"));
    writeHook(hook(repo, "pre-commit"), '"$(dirname "$0")/pre-commit.legacy" "$@" || exit $?');
    const run = await repo.commit({ "a.txt": "clean\n" });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("original hook");
  });

  test("a repository with iclaude's own hooks is not scanned twice, and its chained hook still runs", async () => {
    const repo = await makeRepo();
    mkdirSync(join(repo.dir, ".git", "hooks"), { recursive: true });
    writeHook(hook(repo, "pre-commit"), 'echo "legacy ran" >&2');
    expect((await repo.iclaude(["hooks", "install"])).code).toBe(0);
    expect((await repo.iclaude(["hooks", "install", "--global"])).code).toBe(0);
    const run = await repo.commit({ "a.txt": `${fakeToken("oat01")}\n` });
    expect(run.code).toBe(1);
    expect(run.stderr.match(/legacy ran/g)).toHaveLength(1);
    expect(run.stderr.match(/blocked/g)).toHaveLength(1);
  });
});
