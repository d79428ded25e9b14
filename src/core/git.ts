import { availableParallelism } from "node:os";
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
  const result = await gitBytes(args, cwd);
  return { ...result, stdout: result.stdout.toString("utf8") };
}

/** git's output as bytes: a 20 MB diff is searched without ever being decoded whole. */
async function gitBytes(args: string[], cwd?: string): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn(["git", ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    throw new IclaudeError("git was not found on PATH; install git or fix PATH.", undefined, { cause: error });
  }
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout: Buffer.from(stdout), stderr };
}

function failure(result: { code: number; stderr: string }, doing: string): IclaudeError {
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

/** Past this many files a commit's diff is made by several gits at once, one per core. */
const SPLIT_FILES = 64;
/** Beyond this many bytes of paths a command line could run out of room: one git does it all. */
const SPLIT_MAX_ARG_BYTES = 64 * 1024;

/**
 * The staged diff. git diffs on one core, so a large commit is split by path
 * across the cores; there a renamed file counts as added, which only ever
 * scans more.
 */
export async function stagedDiff(paths: readonly string[]): Promise<Buffer> {
  const cores = Math.min(availableParallelism(), 8);
  const argBytes = paths.reduce((n, p) => n + p.length + 1, 0);
  const split = cores > 1 && paths.length > SPLIT_FILES && argBytes < SPLIT_MAX_ARG_BYTES;
  const size = split ? Math.ceil(paths.length / cores) : paths.length;
  const chunks = split ? Array.from({ length: Math.ceil(paths.length / size) }, (_, i) => ["--", ...paths.slice(i * size, (i + 1) * size)]) : [[]];
  const results = await Promise.all(chunks.map((pathspec) => gitBytes(["--literal-pathspecs", ...STAGED_DIFF_ARGS, ...pathspec])));
  const failed = results.find((r) => r.code !== 0);
  if (failed) throw failure(failed, "read the staged changes");
  return Buffer.concat(results.map((r) => r.stdout));
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
