import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { baseEnv, type Run, runBin, tempHome } from "../helpers.ts";

/** A real repository in a fresh HOME whose git config is its own: the developer's never leaks in or is touched. */
export interface Repo {
  home: string;
  dir: string;
  env: Record<string, string>;
  git(args: string[], extra?: Record<string, string>): Promise<Run>;
  write(path: string, text: string): void;
  iclaude(args: string[], extra?: Record<string, string>): Promise<Run>;
  /** Writes and stages files, then commits; the run of `git commit`. */
  commit(files: Record<string, string>, extra?: Record<string, string>, flags?: string[]): Promise<Run>;
}

export async function makeRepo(options: { install?: boolean } = {}): Promise<Repo> {
  const home = tempHome("iclaude-guard-");
  const dir = join(home, "repo");
  mkdirSync(dir, { recursive: true });
  const env = { GIT_CONFIG_GLOBAL: join(home, ".gitconfig"), GIT_CONFIG_NOSYSTEM: "1", ICLAUDE_STATE_DIR: join(home, "state") };
  writeFileSync(env.GIT_CONFIG_GLOBAL, "[user]\n\tname = Tester\n\temail = tester@example.com\n[init]\n\tdefaultBranch = main\n");
  const run = async (argv: string[], cwd: string, extra: Record<string, string> = {}): Promise<Run> => {
    const proc = Bun.spawn(argv, { cwd, env: baseEnv(home, { ...env, ...extra }), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  };
  const repo: Repo = {
    home,
    dir,
    env,
    git: (args, extra) => run(["git", ...args], dir, extra),
    write(path, text) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    },
    iclaude: (args, extra) => runBin(args, { home, cwd: dir, env: { ...env, ...extra } }),
    async commit(files, extra, flags = []) {
      for (const [path, text] of Object.entries(files)) repo.write(path, text);
      await repo.git(["add", "--", ...Object.keys(files)]);
      return repo.git(["commit", "-q", "-m", "test commit", ...flags], extra);
    },
  };
  await repo.git(["init", "-q"]);
  if (options.install) {
    const installed = await repo.iclaude(["hooks", "install"]);
    if (installed.code !== 0) throw new Error(`install failed: ${installed.stderr}`);
  }
  return repo;
}

/** How many commits the current branch has (0 on an unborn branch). */
export async function commitCount(repo: Repo): Promise<number> {
  const r = await repo.git(["rev-list", "--count", "HEAD"]);
  return r.code === 0 ? Number(r.stdout.trim()) : 0;
}
