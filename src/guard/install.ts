import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import stub from "../../hooks/stub" with { type: "text" };
import type { Config } from "../base/config.ts";
import { type Env, homeOf } from "../base/env.ts";
import { describeFsError, IclaudeError } from "../base/errors.ts";
import { removeQuietly, writePrivateFile } from "../base/fs.ts";
import { ensureStateDir, readState, statePath } from "../base/state.ts";
import { SHELLS } from "../edges/shells.ts";
import { git, gitOk } from "./git.ts";
import { HOOK_NAMES, type HookName } from "./run.ts";

/** The stubs, and the lines said for husky, are POSIX sh. */
const quotePosix = SHELLS.sh.quote;

/** Every hook iclaude writes carries this word; it is how ours are told from the user's. */
export const HOOK_MARKER = "iclaude-guard-hook";
/** pre-commit's `.legacy` is left to pre-commit, which may chain iclaude's hook in turn. */
export const LEGACY_SUFFIX = ".iclaude-legacy";
const PREVIOUS_FILE = "previous-hooks-path";

/** What installing or removing did to one hook (or to the global core.hooksPath); ui/words.ts says it. */
export type Change =
  | { kind: "installed" | "already-installed" | "updated" | "not-installed" | "not-ours" | "removed" | "previous-back" | "hooks-path-unset" }
  | { kind: "chained"; legacy: string }
  | { kind: "hooks-path-restored"; to: string };

export interface HookChange {
  hook: string;
  change: Change;
}

/** The stub for `hook`, with the binary's absolute path and the hook it chains (a shell word) filled in. */
export function renderStub(hook: HookName, binary: string, previous: string): string {
  return stub
    .replaceAll("@HOOK@", hook)
    .replace("@ICLAUDE@", () => quotePosix(binary))
    .replace("@PREVIOUS@", () => previous);
}

/** The binary a hook iclaude wrote calls, read back from the `iclaude=` line renderStub filled; null for a hook that is not ours. */
export function stubBinary(text: string): string | null {
  if (!text.includes(HOOK_MARKER)) return null;
  const quoted = /^iclaude='((?:[^']|'\\'')*)'$/m.exec(text)?.[1];
  return quoted === undefined ? null : quoted.replaceAll(`'\\''`, "'");
}

/** A repository's hook as `hooks install` writes it: it chains the hook that was there, kept beside it. */
export const repoStub = (hook: HookName, binary: string): string => renderStub(hook, binary, `"$here/${hook}${LEGACY_SUFFIX}"`);

const exists = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

function readIfFile(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (!exists(path)) return null;
    throw new IclaudeError(`Cannot read the hook ${path}: ${describeFsError(error)}.`, undefined, { cause: error });
  }
}

function writeExecutable(path: string, text: string): void {
  const temp = `${path}.iclaude-tmp`;
  writeFileSync(temp, text, { mode: 0o755 });
  chmodSync(temp, 0o755);
  renameSync(temp, path);
}

/** Installs one hook, keeping (and chaining) whatever was there that is not ours. */
function installHook(path: string, stub: string, force: boolean): Change {
  const current = readIfFile(path);
  if (current?.includes(HOOK_MARKER)) {
    if (current === stub) return { kind: "already-installed" };
    writeExecutable(path, stub);
    return { kind: "updated" };
  }
  if (current === null && !exists(path)) {
    writeExecutable(path, stub);
    return { kind: "installed" };
  }
  const legacy = path + LEGACY_SUFFIX;
  if (exists(legacy) && !force) {
    throw new IclaudeError(`${path} is not iclaude's and ${legacy} exists too; move one away, or rerun with --force to chain ${path} in place of ${legacy}.`);
  }
  renameSync(path, legacy);
  writeExecutable(path, stub);
  return { kind: "chained", legacy };
}

function uninstallHook(path: string): Change {
  const current = readIfFile(path);
  if (current === null) return { kind: "not-installed" };
  if (!current.includes(HOOK_MARKER)) return { kind: "not-ours" };
  unlinkSync(path);
  if (!exists(path + LEGACY_SUFFIX)) return { kind: "removed" };
  renameSync(path + LEGACY_SUFFIX, path);
  return { kind: "previous-back" };
}

function eachHook(dir: string, act: (path: string, hook: HookName) => Change): HookChange[] {
  return HOOK_NAMES.map((hook) => ({ hook: join(dir, hook), change: act(join(dir, hook), hook) }));
}

/**
 * This repository's real hooks directory: `git rev-parse --git-path hooks`
 * follows core.hooksPath and leads every worktree to the common one.
 */
export async function repoHooksDir(): Promise<string> {
  const result = await git(["rev-parse", "--git-path", "hooks"]);
  if (result.code !== 0) throw new IclaudeError("Not inside a git repository; run `iclaude hooks install` in one, or add --global.");
  return resolve(result.stdout.trim());
}

/**
 * Directories a repository install must not write: iclaude's global hooks
 * (reached through the global core.hooksPath), and husky's, which husky
 * regenerates and whose dispatcher finds the user's hook by its own name.
 */
function refuseForeignDir(dir: string, binary: string, env: Env): void {
  if (dir === globalHooksDir(env)) {
    throw new IclaudeError(
      "This repository runs iclaude's global hooks already (the global core.hooksPath); use `iclaude hooks install --global`, or `--global --uninstall`.",
    );
  }
  if (dirname(dir).endsWith(".husky") && dir.endsWith("_")) {
    const run = quotePosix(binary);
    const lines = HOOK_NAMES.map((hook) => `\`${run} hooks run ${hook} "$@"\` to .husky/${hook}`);
    throw new IclaudeError(`husky manages this repository's hooks (${dir}); add ${lines.slice(0, -1).join(", ")} and ${lines.at(-1)} instead.`);
  }
}

/** The hooks dirs of the repositories iclaude installed into, kept so an uninstall anywhere can take them all out. */
const HOOKED_REPOS = "hooked-repos";

function hookedRepos(state: Pick<Config, "stateDir">): string[] {
  return (readState(state, HOOKED_REPOS) ?? "").split("\n").filter((line) => line.startsWith("/"));
}

function keepHookedRepos(state: Pick<Config, "stateDir">, dirs: string[]): void {
  try {
    if (dirs.length === 0) {
      removeQuietly(statePath(state, HOOKED_REPOS));
      return;
    }
    ensureStateDir(state);
    writePrivateFile(statePath(state, HOOKED_REPOS), dirs.map((dir) => `${dir}\n`).join(""));
  } catch {
    // Without the list an uninstall misses this repository; `hooks install --uninstall` in it still works.
  }
}

export async function installRepo(
  binary: string,
  options: { force: boolean; uninstall: boolean },
  state: Pick<Config, "stateDir">,
  env: Env = process.env,
): Promise<HookChange[]> {
  const dir = await repoHooksDir();
  refuseForeignDir(dir, binary, env);
  const others = hookedRepos(state).filter((listed) => listed !== dir);
  if (options.uninstall) {
    keepHookedRepos(state, others);
    return eachHook(dir, (path) => uninstallHook(path));
  }
  keepHookedRepos(state, [...others, dir]);
  mkdirSync(dir, { recursive: true });
  // The chained hook is named, not derived from $0's name: a tool that renames this stub in turn still
  // finds it. The stub sets $here to its own directory with builtins only (no dirname process).
  return eachHook(dir, (path, hook) => installHook(path, repoStub(hook, binary), options.force));
}

/** iclaude's own directory for the global core.hooksPath. */
export function globalHooksDir(env: Env = process.env): string {
  const config = env.XDG_CONFIG_HOME || join(homeOf(env), ".config");
  return join(config, "iclaude", "hooks");
}

/** The global core.hooksPath as the user wrote it: a relative one means each repository's own. */
async function globalHooksPath(): Promise<string | null> {
  const result = await git(["config", "--global", "--get", "core.hooksPath"]);
  return result.code === 0 && result.stdout.trim() ? result.stdout.trim() : null;
}

/** The previous hooks path's hook as a shell word: git runs hooks from the top of the work tree. */
function chainedHook(previous: string, hook: string): string {
  if (previous.startsWith("~/")) return `"$HOME"/${quotePosix(join(previous.slice(2), hook))}`;
  return quotePosix(join(previous, hook));
}

/**
 * A global core.hooksPath silences every repository's own .git/hooks, so the
 * global stubs run them (or the hooks path the user had before) first.
 */
export async function installGlobal(binary: string, options: { uninstall: boolean }, env: Env = process.env): Promise<HookChange[]> {
  const dir = globalHooksDir(env);
  const current = await globalHooksPath();
  const previousFile = join(dir, PREVIOUS_FILE);
  const saved = readIfFile(previousFile)?.trim() || null;
  if (options.uninstall) return uninstallGlobal(dir, current, saved, previousFile);
  const previous = current !== null && current !== dir ? current : saved;
  mkdirSync(dir, { recursive: true });
  if (previous) writeFileSync(previousFile, `${previous}\n`);
  const changes = eachHook(dir, (path, hook) => {
    // Without GIT_DIR git runs hooks beside ./.git; only a linked worktree or a submodule needs git's answer.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell text for the hook stub
    const gitDir = '$(if [ -z "${GIT_DIR:-}" ] && [ -d .git ]; then echo .git; else git rev-parse --git-common-dir; fi)';
    const chained = previous ? chainedHook(previous, hook) : `"${gitDir}/hooks/${hook}"`;
    return installHook(path, renderStub(hook, binary, chained), true);
  });
  if (current !== dir) await gitOk(["config", "--global", "core.hooksPath", dir], "set the global core.hooksPath");
  return changes;
}

/** Every hook iclaude installed: in each repository it kept in its list, and the global ones; the user's own hooks come back. */
export async function uninstallEverywhere(binary: string, state: Pick<Config, "stateDir">, env: Env = process.env): Promise<HookChange[]> {
  const changes = hookedRepos(state).flatMap((dir) => (exists(dir) ? eachHook(dir, (path) => uninstallHook(path)) : []));
  keepHookedRepos(state, []);
  if ((await globalHooksPath()) === globalHooksDir(env) || exists(globalHooksDir(env)))
    changes.push(...(await installGlobal(binary, { uninstall: true }, env)));
  return changes.filter(({ change }) => change.kind !== "not-installed" && change.kind !== "not-ours");
}

async function uninstallGlobal(dir: string, current: string | null, saved: string | null, previousFile: string): Promise<HookChange[]> {
  const changes = eachHook(dir, (path): Change => {
    if (readIfFile(path) === null) return { kind: "not-installed" };
    unlinkSync(path);
    return { kind: "removed" };
  });
  if (current === dir) {
    const args = saved ? ["config", "--global", "core.hooksPath", saved] : ["config", "--global", "--unset", "core.hooksPath"];
    await gitOk(args, "restore the global core.hooksPath");
    changes.push({ hook: "core.hooksPath", change: saved ? { kind: "hooks-path-restored", to: saved } : { kind: "hooks-path-unset" } });
  }
  if (exists(previousFile)) unlinkSync(previousFile);
  try {
    rmdirSync(dir);
    rmdirSync(dirname(dir));
  } catch {
    // Not empty: the user keeps iclaude's config beside it.
  }
  return changes;
}
