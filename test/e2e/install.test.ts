import { describe, expect, test } from "bun:test";
import {
  appendFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { defined, ROOT, tempHome } from "../helpers.ts";

/**
 * install.sh run for real, in a copy of the repository (so no one's dist/ is touched), with a fresh
 * HOME and a PATH that has node and npm but no bun. npm's cache is the machine's own: the registry
 * is still asked, but the tarballs are not downloaded again.
 */
const PATH = "/usr/bin:/bin";
const BEGIN = "# >>> iclaude shell integration >>>";

function copyRepo(): string {
  const dir = join(tempHome("iclaude-repo-"), "iclaude");
  const files = Bun.spawnSync(["git", "ls-files", "-z"], { cwd: ROOT, stdout: "pipe" }).stdout.toString().split("\0");
  for (const file of files.filter((f) => f && existsSync(join(ROOT, f)))) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  return dir;
}

const repo = copyRepo();

/**
 * `--uninstall` clears every scheduler, and a crontab belongs to the user running the tests, not
 * to the test's HOME: a stand-in answers as an empty one, so no one's own crontab is touched.
 * The real cron daemon is driven in schedule-cron.test.ts.
 */
const standIns = tempHome("iclaude-crontab-");
writeFileSync(
  join(standIns, "crontab"),
  '#!/bin/sh\n[ "$1" = -l ] && { echo "no crontab for $(id -un)" >&2; exit 1; }\necho "crontab stand-in: not expected: $*" >&2\nexit 1\n',
  { mode: 0o755 },
);
const npmCache = process.env.npm_config_cache ?? join(homedir(), ".npm");

function install(home: string, args: string[] = [], env: Record<string, string> = {}): { code: number; out: string } {
  const proc = Bun.spawnSync([join(repo, "install.sh"), ...args], {
    cwd: home,
    env: { HOME: home, PATH: `${standIns}:${PATH}`, LANG: "C.UTF-8", npm_config_cache: npmCache, ...env },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 120_000,
  });
  return { code: proc.exitCode ?? -1, out: proc.stdout.toString() + proc.stderr.toString() };
}

const rcFiles = (home: string): { zsh: string; bash: string; fish: string } => ({
  zsh: join(home, ".zshrc"),
  bash: join(home, ".bashrc"),
  fish: join(home, ".config/fish/config.fish"),
});
const read = (path: string): string => (existsSync(path) ? readFileSync(path, "utf8") : "<absent>");

/** Runs `body` on a fresh tmpfs of `size`, a real small disk; skipped with a warning where none can be mounted (it needs root). */
function onSmallDisk(prefix: string, size: string, body: (disk: string) => void): void {
  const disk = tempHome(prefix);
  if (Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size},mode=0755`, "tmpfs", disk], { stderr: "ignore" }).exitCode !== 0) {
    console.warn("install: the full-disk case is skipped, no tmpfs could be mounted (it needs root).");
    return;
  }
  try {
    body(disk);
  } finally {
    Bun.spawnSync(["umount", disk]);
  }
}

describe("install.sh", () => {
  test("installs, twice changing nothing more, and uninstalls, schedule included", () => {
    expect(Bun.which("bun", { PATH })).toBeNull();
    const home = tempHome();
    writeFileSync(join(home, ".bashrc"), "# mine\n");
    const bin = join(home, ".local/bin/iclaude");

    const first = install(home);
    expect(first.out).toContain("(npm ci)");
    expect(first.code).toBe(0);
    // Everything package-lock.json lists, so `npm run build` and `npm test` work next.
    expect(Bun.spawnSync([join(repo, "node_modules/.bin/claude"), "--version"]).exitCode).toBe(0);
    expect(Bun.spawnSync(["npm", "run", "build"], { cwd: repo, env: { HOME: home, PATH, npm_config_cache: npmCache } }).exitCode).toBe(0);
    const version = Bun.spawnSync([bin, "--version"], { env: { HOME: home, PATH } });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.toString()).toMatch(/^iclaude \d+\.\d+\.\d+\n/);

    // The man page beside the bin dir, where man finds it once that dir is on PATH.
    const manPage = join(home, ".local/share/man/man1/iclaude.1");
    expect(first.out).toContain(`install.sh: installed ${manPage} (man iclaude)\n`);
    const manEnv = { HOME: home, PATH: `${dirname(bin)}:${PATH}` };
    expect(Bun.spawnSync(["man", "-w", "iclaude"], { env: manEnv, stdout: "pipe" }).stdout.toString()).toBe(`${manPage}\n`);

    const rcs = rcFiles(home);
    const after = Object.fromEntries(Object.entries(rcs).map(([shell, path]) => [shell, read(path)]));
    for (const text of Object.values(after)) expect(text.split(BEGIN).length - 1).toBe(1);
    // ~/.local/bin is not on this PATH: the line names the binary by its absolute path, and says what to add.
    const cached = (shell: string) => `'${join(home, ".cache/iclaude", `init.${shell}`)}'`;
    expect(after.bash).toBe(
      `# mine\n\n${BEGIN}\n[ -r ${cached("bash")} ] && . ${cached("bash")} || eval "$('${bin}' init bash --cache ${cached("bash")})"\n# <<< iclaude shell integration <<<\n`,
    );
    expect(after.zsh).toContain(`eval "$('${bin}' init zsh --cache ${cached("zsh")})"`);
    expect(after.fish).toContain(`'${bin}' init fish --cache ${cached("fish")} | source`);
    // One PATH line for every shell that got the integration: the notices there name iclaude too.
    expect(first.out).toContain(
      `is not on PATH; to type iclaude by its name in bash, add this line to ~/.bashrc: export PATH='${join(home, ".local/bin")}':"$PATH"\n`,
    );
    expect(first.out).toContain(
      `is not on PATH; to type iclaude by its name in zsh, add this line to ${home}/.zshrc: export PATH='${join(home, ".local/bin")}':"$PATH"\n`,
    );
    expect(first.out).toContain(`is not on PATH; to type iclaude by its name in fish, run once: fish_add_path '${join(home, ".local/bin")}'\n`);
    expect(first.out).toEndWith(`install.sh: done; open a new shell, or run: '${bin}' status\n`);

    // The lines work: each interactive shell has the claude function.
    const env = { HOME: home, PATH, ZDOTDIR: home, TERM: "dumb" };
    expect(Bun.spawnSync(["zsh", "-i", "-c", "whence -w claude"], { env, stdout: "pipe" }).stdout.toString()).toBe("claude: function\n");
    expect(Bun.spawnSync(["bash", "-i", "-c", "type -t claude"], { env, stdout: "pipe", stderr: "ignore" }).stdout.toString()).toBe("function\n");
    expect(Bun.spawnSync(["fish", "-i", "-c", "functions -q claude; and echo function"], { env, stdout: "pipe", stderr: "ignore" }).stdout.toString()).toBe(
      "function\n",
    );

    // An upgraded binary (newer than the files the lines source) writes them again at the next shell start.
    const [older, upgraded] = [new Date(Date.now() - 60_000), new Date(Date.now() - 30_000)];
    for (const shell of ["zsh", "bash"]) utimesSync(join(home, ".cache/iclaude", `init.${shell}`), older, older);
    utimesSync(bin, upgraded, upgraded);
    expect(Bun.spawnSync(["zsh", "-i", "-c", "whence -w claude"], { env, stdout: "pipe" }).stdout.toString()).toBe("claude: function\n");
    expect(Bun.spawnSync(["bash", "-i", "-c", "type -t claude"], { env, stdout: "pipe", stderr: "ignore" }).stdout.toString()).toBe("function\n");
    for (const shell of ["zsh", "bash"]) expect(statSync(join(home, ".cache/iclaude", `init.${shell}`)).mtimeMs).toBeGreaterThan(upgraded.getTime());

    const second = install(home);
    expect(second.code).toBe(0);
    expect(second.out).not.toContain("added the shell integration");
    expect(second.out).not.toContain("(man iclaude)");
    expect(Object.fromEntries(Object.entries(rcs).map(([shell, path]) => [shell, read(path)]))).toEqual(after);

    const timer = join(home, ".config/systemd/user/iclaude-refresh.timer");
    expect(Bun.spawnSync([bin, "schedule", "install", "--systemd"], { env: { HOME: home, PATH } }).exitCode).toBe(0);
    // A repository with a hook of the user's own, which iclaude's chains; and the global hooks.
    const project = join(home, "project");
    const gitEnv = { HOME: home, PATH, GIT_CONFIG_NOSYSTEM: "1" };
    expect(Bun.spawnSync(["git", "init", "-q", project], { env: gitEnv }).exitCode).toBe(0);
    const ownHook = "#!/bin/sh\necho users own hook\n";
    writeFileSync(join(project, ".git/hooks/pre-commit"), ownHook, { mode: 0o755 });
    expect(Bun.spawnSync([bin, "hooks", "install"], { cwd: project, env: gitEnv }).exitCode).toBe(0);
    expect(Bun.spawnSync([bin, "hooks", "install", "--global"], { cwd: home, env: gitEnv }).exitCode).toBe(0);
    const removed = install(home, ["--uninstall"]);
    expect(removed.code).toBe(0);
    expect(removed.out).toContain(`install.sh: systemd: removed ${timer}`);
    expect(existsSync(timer)).toBe(false);
    expect(existsSync(bin)).toBe(false);
    expect(removed.out).toContain(`install.sh: removed ${manPage}\n`);
    // The man dirs install.sh made go too (fish, run above, keeps its own ~/.local/share/fish).
    expect(existsSync(join(home, ".local/share/man"))).toBe(false);
    // No hook is left calling the binary that is gone: the user's own is back, the global path unset.
    expect(read(join(project, ".git/hooks/pre-commit"))).toBe(ownHook);
    expect(existsSync(join(project, ".git/hooks/commit-msg"))).toBe(false);
    expect(Bun.spawnSync(["git", "config", "--global", "--get", "core.hooksPath"], { env: gitEnv }).exitCode).toBe(1);
    expect(removed.out).toContain(`install.sh: ${join(project, ".git/hooks/pre-commit")}: removed; the previous hook is back\n`);
    expect(read(rcs.bash)).toBe("# mine\n");
    // The rc files, directories and cache install.sh created are gone once empty; what was there stays.
    expect(read(rcs.zsh)).toBe("<absent>");
    expect(read(rcs.fish)).toBe("<absent>");
    expect(existsSync(join(home, ".local/bin"))).toBe(false);
    expect(existsSync(join(home, ".cache"))).toBe(false);
  }, 120_000);

  test("--no-modify-rc and ICLAUDE_NO_MODIFY_RC=1 leave rc files alone; an install dir on PATH is named by the bare name", () => {
    const home = tempHome();
    const dir = join(home, "my bin");
    const env = { ICLAUDE_INSTALL_DIR: dir, PATH: `${dir}:${standIns}:${PATH}` };
    expect(install(home, ["--no-modify-rc"], env).code).toBe(0);
    expect(install(home, [], { ...env, ICLAUDE_NO_MODIFY_RC: "1" }).code).toBe(0);
    expect(existsSync(join(dir, "iclaude"))).toBe(true);
    for (const path of Object.values(rcFiles(home))) expect(read(path)).toBe("<absent>");

    expect(install(home, [], env).code).toBe(0);
    expect(read(rcFiles(home).bash)).toContain(`|| eval "$(iclaude init bash --cache '${join(home, ".cache/iclaude/init.bash")}')"\n`);
    expect(read(rcFiles(home).fish)).toContain(`; or iclaude init fish --cache '${join(home, ".cache/iclaude/init.fish")}' | source\n`);
  }, 120_000);

  test("unbalanced markers or an unwritable rc file: refused with a sentence, the rc file untouched, no temporary file left", () => {
    // Each refusal ends the run midway: the scratch files it made go too.
    const scratch = { TMPDIR: tempHome("iclaude-tmpdir-") };
    const home = tempHome();
    const half = `alias ll=ls\n${BEGIN}\nold\nexport IMPORTANT=1\n`;
    writeFileSync(join(home, ".bashrc"), half);
    const run = install(home, [], scratch);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`install.sh: the iclaude markers in ${join(home, ".bashrc")} are unbalanced; fix them by hand`);
    expect(read(join(home, ".bashrc"))).toBe(half);
    expect(install(home, ["--uninstall"], scratch).code).toBe(1);
    expect(read(join(home, ".bashrc"))).toBe(half);

    const blocked = tempHome();
    mkdirSync(join(blocked, ".bashrc"));
    const failed = install(blocked, [], scratch);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain(`install.sh: cannot write ${join(blocked, ".bashrc")} (it is not a regular file); nothing was changed there`);
    expect(failed.out).not.toContain(`added the shell integration to ${join(blocked, ".bashrc")}`);
    expect(readdirSync(scratch.TMPDIR)).toEqual([]);
  }, 120_000);

  test("tools reading their arguments as POSIX says (BSD's chmod, cp, mv) and a relative TMPDIR: installed, nothing left in TMPDIR", () => {
    // GNU tools reorder options unless POSIXLY_CORRECT is set; macOS's never do (`chmod 755 -- f` names a file `--`).
    const home = tempHome();
    mkdirSync(join(home, "scratch"));
    const run = install(home, [], { POSIXLY_CORRECT: "1", TMPDIR: "scratch" });
    expect([run.code, run.out]).toEqual([0, expect.stringContaining(`installed ${join(home, ".local/bin/iclaude")}`)]);
    expect(existsSync(join(home, ".local/bin/iclaude"))).toBe(true);
    expect(read(rcFiles(home).bash)).toContain(BEGIN);
    expect(readdirSync(join(home, "scratch"))).toEqual([]);
  }, 120_000);

  test("a full disk where the binary goes: no half-copied binary, the one there unchanged, the failure said", () => {
    onSmallDisk("iclaude-bindisk-", "1m", (dir) => {
      const old = "#!/bin/sh\necho 'iclaude 0.0.1'\n";
      writeFileSync(join(dir, "iclaude"), old, { mode: 0o755 });
      const home = tempHome();
      const run = install(home, [], { ICLAUDE_INSTALL_DIR: dir });
      expect(run.code).toBe(1);
      expect(run.out).toContain(`install.sh: cannot install ${join(dir, "iclaude")} (No space left on device); nothing was changed there`);
      expect(readdirSync(dir)).toEqual(["iclaude"]);
      expect(read(join(dir, "iclaude"))).toBe(old);
      expect(read(rcFiles(home).bash)).toBe("<absent>");
    });
  }, 120_000);

  test("--uninstall takes iclaude's global git hooks out while the binary is still there", () => {
    const home = tempHome();
    const env = { GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), GIT_CONFIG_NOSYSTEM: "1" };
    expect(install(home, ["--no-modify-rc"], env).code).toBe(0);
    const bin = join(home, ".local/bin/iclaude");
    expect(Bun.spawnSync([bin, "hooks", "install", "--global"], { cwd: home, env: { HOME: home, PATH, ...env } }).exitCode).toBe(0);
    const removed = install(home, ["--uninstall", "--no-modify-rc"], env);
    expect(removed.code).toBe(0);
    expect(removed.out).toContain("core.hooksPath: unset");
    expect(Bun.spawnSync(["git", "config", "--global", "--get", "core.hooksPath"], { env: { HOME: home, PATH, ...env } }).exitCode).toBe(1);
    expect(existsSync(bin)).toBe(false);
  }, 120_000);

  test("a full disk: the rc file is left whole and the failure is said; with room, a symlinked rc stays a symlink with its mode", () => {
    onSmallDisk("iclaude-rcdisk-", "64k", (disk) => {
      const elsewhere = tempHome();
      // Only ~/.bashrc lives on the small disk: the binary, the cache and the other rc files do not.
      const env = {
        ICLAUDE_INSTALL_DIR: join(elsewhere, "bin"),
        XDG_CACHE_HOME: join(elsewhere, "cache"),
        XDG_CONFIG_HOME: join(elsewhere, "config"),
        ZDOTDIR: elsewhere,
      };
      const mine = Array.from({ length: 40 }, (_, i) => `export MINE_${i}=${i}\n`).join("");
      writeFileSync(join(disk, ".bashrc"), mine, { mode: 0o640 });
      const block = Buffer.alloc(1024, 120);
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(disk, `filler-${i}`), block, { flag: "wx" });
        } catch {
          break;
        }
      }
      // The last bytes too: a file that is written one byte at a time until none more goes in.
      try {
        for (;;) appendFileSync(join(disk, "filler-last"), "x");
      } catch {
        // Full to the last byte.
      }
      const full = install(disk, [], env);
      expect(full.code).toBe(1);
      expect(full.out).toContain(`install.sh: cannot write ${join(disk, ".bashrc")} (No space left on device); nothing was changed there`);
      expect(read(join(disk, ".bashrc"))).toBe(mine);
      expect(readdirSync(disk).filter((name) => name.includes("iclaude"))).toEqual([]);

      for (const name of readdirSync(disk)) if (name.startsWith("filler")) rmSync(join(disk, name));
      mkdirSync(join(disk, "dotfiles"));
      renameSync(join(disk, ".bashrc"), join(disk, "dotfiles/bashrc"));
      symlinkSync("dotfiles/bashrc", join(disk, ".bashrc"));
      expect(install(disk, [], env).code).toBe(0);
      expect(lstatSync(join(disk, ".bashrc")).isSymbolicLink()).toBe(true);
      expect(read(join(disk, "dotfiles/bashrc"))).toStartWith(`${mine}\n${BEGIN}\n`);
      expect(statSync(join(disk, "dotfiles/bashrc")).mode & 0o777).toBe(0o640);
    });
  }, 120_000);

  test("--uninstall keeps a line the user put inside the iclaude block, and says so", () => {
    const home = tempHome();
    expect(install(home, [], { ICLAUDE_INSTALL_DIR: join(home, "bin") }).code).toBe(0);
    const rc = join(home, ".bashrc");
    writeFileSync(rc, read(rc).replace(`${BEGIN}\n`, `${BEGIN}\nexport MY_OWN=1\n`));
    const removed = install(home, ["--uninstall"], { ICLAUDE_INSTALL_DIR: join(home, "bin") });
    expect(removed.code).toBe(0);
    expect(removed.out).toContain(`install.sh: kept the 1 line(s) of yours that were inside the iclaude block in ${rc}`);
    expect(read(rc)).toBe("export MY_OWN=1\n");
  }, 120_000);

  test("installing again replaces iclaude's line and keeps the lines the user put inside the block, in place", () => {
    const home = tempHome();
    const env = { ICLAUDE_INSTALL_DIR: join(home, "bin") };
    expect(install(home, [], env).code).toBe(0);
    const rc = join(home, ".bashrc");
    const fresh = read(rc);
    const own = defined(
      fresh.split("\n").find((line) => line.includes(" init bash --cache ")),
      "iclaude's line",
    );
    const older = `eval "$(/opt/old/iclaude init bash --cache /opt/old/init.bash)"`;
    writeFileSync(rc, fresh.replace(`${own}\n`, `export MY_OWN=1\n${older}\nalias ll='ls -l'\n`));
    const again = install(home, [], env);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`install.sh: kept the 2 line(s) of yours that are inside the iclaude block in ${rc}`);
    expect(read(rc)).toBe(fresh.replace(`${own}\n`, `export MY_OWN=1\n${own}\nalias ll='ls -l'\n`));
  }, 120_000);

  test("an unknown option is refused before anything is done", () => {
    const home = tempHome();
    const run = install(home, ["--frobnicate"]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("install.sh: unknown option --frobnicate; see ./install.sh --help\n");
    expect(existsSync(join(home, ".local"))).toBe(false);
  });
});
