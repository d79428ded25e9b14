import { IclaudeError } from "../base/errors.ts";

/*
 * Running git, and nothing else: this file loads no node module, so the guard can ask git before
 * the rest of its code (and node:fs) is loaded, and git answers while that code loads.
 */

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs git with the hook's own environment, so GIT_INDEX_FILE (a temporary
 * index under `commit -a` or `commit <paths>`) and GIT_DIR are honoured.
 * `bytes` is stdout undecoded: paths need not be UTF-8.
 */
export async function gitRaw(args: string[], cwd?: string): Promise<GitResult & { bytes: Buffer }> {
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn(["git", ...args], { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (error) {
    throw new IclaudeError("git was not found on PATH; install git or fix PATH.", undefined, { cause: error });
  }
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  const bytes = Buffer.from(stdout);
  return { code, bytes, stdout: bytes.toString("utf8"), stderr };
}

/** What stagedChanges() asks: paths, modes and blob ids, no content. */
export const STAGED_LISTING_ARGS = ["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-relative", "--diff-filter=d"];

let early: Promise<GitResult & { bytes: Buffer }> | null = null;

/** Asks git for the staged listing now; the next stagedChanges() takes the answer. */
export function askEarly(): void {
  early ??= gitRaw(STAGED_LISTING_ARGS);
  early.catch(() => {});
}

/** The answer askEarly() asked for, once; null when it was not asked. */
export function takeEarly(): Promise<GitResult & { bytes: Buffer }> | null {
  const asked = early;
  early = null;
  return asked;
}
