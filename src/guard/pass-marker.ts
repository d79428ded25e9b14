/**
 * pre-commit's pass, handed to prepare-commit-msg: where it lives (the git
 * directory of this worktree), and the work tree's top the scan reads from.
 */
import { readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Env } from "../base/env.ts";
import { readTextFile } from "../base/fs.ts";
import { git, gitOk } from "./git.ts";

/** Written by a passing pre-commit, read once by prepare-commit-msg, which git runs even under `--no-verify`. */
const MARKER = "iclaude-guard-passed";

export function readMarker(path: string): string | null {
  try {
    return readTextFile(path);
  } catch {
    return null;
  }
}

export function writeMarker(path: string, value: string | null): void {
  try {
    if (value === null) unlinkSync(path);
    else writeFileSync(path, value);
  } catch {
    // Without a marker prepare-commit-msg scans again: slower, never less safe.
  }
}

export interface Located {
  marker: string;
  top: string | null;
}

/**
 * Inside `git commit` git has found the repository already: it runs hooks at
 * the work tree's top with GIT_INDEX_FILE set, and GIT_DIR set when the git
 * directory is not `./.git` (a linked worktree, `--git-dir`). `.git` may be a
 * `gitdir:` file (a submodule). No git process is needed; anything else
 * (a hook run by hand, in a subdirectory) asks git.
 */
function locateInHook(env: Env): Located | null {
  if (!env.GIT_INDEX_FILE) return null;
  const top = process.cwd();
  try {
    let dir = env.GIT_DIR ? resolve(env.GIT_DIR) : join(top, ".git");
    if (!env.GIT_DIR && statSync(dir).isFile()) {
      const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(dir, "utf8"))?.[1];
      if (!gitdir) return null;
      dir = resolve(top, gitdir.trim());
    }
    return statSync(dir).isDirectory() ? { marker: join(dir, MARKER), top } : null;
  } catch {
    return null;
  }
}

/** Where the pass marker lives, and the working tree's top (null without one). */
export async function locate(env: Env): Promise<Located> {
  const inHook = locateInHook(env);
  if (inHook) return inHook;
  const both = await git(["rev-parse", "--git-path", MARKER, "--show-toplevel"]);
  if (both.code === 0) {
    const [marker = "", top = ""] = both.stdout.split("\n");
    return { marker: resolve(marker), top };
  }
  // Outside a repository rev-parse's own words are the error.
  return { marker: resolve((await gitOk(["rev-parse", "--git-path", MARKER], "find the git directory")).trim()), top: null };
}
