import { existsSync, mkdirSync, readFileSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import type { Env } from "../base/env.ts";
import { describeFsError, EXIT, IclaudeError } from "../base/errors.ts";
import { writePrivateFile } from "../base/fs.ts";
import { hasControl, showText } from "../base/show.ts";

export type BackendName = "systemd" | "launchd" | "cron";

/** One OS scheduler: each call returns the lines that say what it did. */
export interface Backend {
  name: BackendName;
  install(bin: string, env: Env): string[];
  remove(env: Env): string[];
  /** Where it is installed, and how it stands (loaded, active); null when it is not installed. */
  installed(env: Env): { where: string; state: string | null } | null;
}

/** What every file iclaude writes for a scheduler or a service carries: `remove` takes out nothing else. */
export const MARK = "Written by `iclaude ";

/**
 * The binary's path as a unit, plist or crontab line may hold it. A line break there would be read
 * as a line of its own (another ExecStartPre=, another cron job); systemd refuses quotes and
 * backslashes in an executable's name. Such a path is refused (exit 2) before anything is written.
 */
export function schedulablePath(bin: string, where: string, alsoUnsafe = ""): string {
  const found = [...bin].find((c) => hasControl(c) || alsoUnsafe.includes(c));
  if (found === undefined) return bin;
  const what = hasControl(found) ? `a control character (${showText(found)})` : `a ${found}`;
  throw new IclaudeError(
    `iclaude's path "${showText(bin)}" holds ${what}, which ${where} cannot hold safely; nothing was written — move iclaude to a path without one.`,
    EXIT.usage,
  );
}

export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs a scheduler's own tool; null when it is not on this machine. */
export function runTool(argv: string[], env: Env, stdin?: string): Ran | null {
  const bin = Bun.which(argv[0] ?? "", { PATH: env.PATH ?? "/usr/bin:/bin" });
  if (!bin) return null;
  const result = Bun.spawnSync([bin, ...argv.slice(1)], {
    env: env as Record<string, string>,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  return { code: result.exitCode ?? 1, out: result.stdout.toString(), err: result.stderr.toString().trim() };
}

const readOrNull = (path: string): string | null => (existsSync(path) ? readFileSync(path, "utf8") : null);

/** Writes a unit file unless it already holds exactly this; true when it changed. `by`: the command that writes it. */
export function writeUnit(path: string, text: string, by = "iclaude schedule install"): boolean {
  try {
    const before = readOrNull(path);
    if (before === text) return false;
    if (before !== null && !before.includes(MARK)) {
      throw new IclaudeError(`${path} exists and was not written by iclaude; move it away and run \`${by}\` again.`, EXIT.usage);
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writePrivateFile(path, text);
    return true;
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(`Cannot write ${path}: ${describeFsError(error)}.`, EXIT.usage);
  }
}

/** Removes a unit file iclaude wrote; a foreign file of that name is left alone. */
export function removeUnit(path: string): "removed" | "absent" | "foreign" {
  try {
    const text = readOrNull(path);
    if (text === null) return "absent";
    if (!text.includes(MARK)) return "foreign";
    unlinkSync(path);
    return "removed";
  } catch (error) {
    throw new IclaudeError(`Cannot remove ${path}: ${describeFsError(error)}.`, EXIT.usage);
  }
}

/** True when the file is there and iclaude wrote it. */
export const ownsUnit = (path: string): boolean => readOrNull(path)?.includes(MARK) === true;
