import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IclaudeError } from "./errors.ts";

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs git with the hook's own environment, so GIT_INDEX_FILE (a temporary
 * index under `commit -a` or `commit <paths>`) and GIT_DIR are honoured.
 */
export async function git(args: string[], cwd?: string): Promise<GitResult> {
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn(["git", ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    throw new IclaudeError("git was not found on PATH; install git or fix PATH.", undefined, { cause: error });
  }
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

function failure(result: GitResult, doing: string): IclaudeError {
  const reason = result.stderr.trim().split("\n")[0] || `exit ${result.code}`;
  return new IclaudeError(`Cannot ${doing}: git says "${reason}".`);
}

/** Like git(), but a failure is an IclaudeError naming what was being done. */
export async function gitOk(args: string[], doing: string, cwd?: string): Promise<string> {
  const result = await git(args, cwd);
  if (result.code !== 0) throw failure(result, doing);
  return result.stdout;
}

/**
 * What the commit adds: only added lines, no context, byte-for-byte (no
 * textconv or external diff), with fixed prefixes whatever the user's config.
 */
const STAGED_DIFF_ARGS = [
  "-c", "core.quotePath=false",
  "diff", "--cached", "-U0", "--no-ext-diff", "--no-color", "--no-textconv", "--no-relative",
  "--src-prefix=a/", "--dst-prefix=b/", "--diff-filter=d",
];

/**
 * The staged diff, as bytes: a 20 MB diff is searched without being decoded
 * whole. git writes it to a file, faster than through a pipe, in a private
 * (0700) temp dir of its own, so it can start before the git dir is known;
 * the dir is removed at once.
 */
export async function stagedDiff(): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "iclaude-diff-"));
  const output = join(dir, "staged.diff");
  try {
    const result = await git([...STAGED_DIFF_ARGS, `--output=${output}`]);
    if (result.code !== 0) throw failure(result, "read the staged changes");
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Staged paths that will exist after the commit (deletions left out), as git spells them. */
export async function stagedPaths(): Promise<string[]> {
  const out = await gitOk(["diff", "--cached", "--name-only", "-z", "--no-relative", "--diff-filter=d"], "list the staged files");
  return out.split("\0").filter(Boolean);
}

/** The tree the commit will record; null when the index cannot be written as one (e.g. during a conflict). */
export async function stagedTree(): Promise<string | null> {
  const result = await git(["write-tree"]);
  return result.code === 0 ? result.stdout.trim() : null;
}

/** A staged file's full content, for the rules that judge a whole file. */
export async function stagedBlob(path: string): Promise<string | null> {
  const result = await git(["cat-file", "blob", `:${path}`]);
  return result.code === 0 ? result.stdout : null;
}
