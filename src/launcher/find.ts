import { accessSync, closeSync, constants as fsConstants, openSync, readSync, realpathSync, statSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import type { Config } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";

const INSTALL_HINT = "install Claude Code (`npm install -g @anthropic-ai/claude-code`) or set ICLAUDE_CLAUDE_BIN to the real claude";

/** Wrapper scripts are a few lines; anything larger (an old npm cli.js is megabytes) is a real claude. */
const WRAPPER_MAX_BYTES = 64 * 1024;

/** Set in claude's environment: a `claude` that starts iclaude again directly is a loop, not a nested session. */
export const LAUNCHER_ENV = "ICLAUDE_LAUNCHER_PID";
/** How many launches deep claude runs: a wrapper that starts iclaude through a shell ends here, not in a fork bomb. */
export const DEPTH_ENV = "ICLAUDE_LAUNCH_DEPTH";
/** Sessions nested this deep (claude → iclaude → claude → …) are a loop no check above could see. */
const MAX_DEPTH = 8;

/** This launch's depth: 0 outside any claude that iclaude started. */
export const launchDepth = (env: Env = process.env): number => {
  const depth = Number(env[DEPTH_ENV]);
  return Number.isInteger(depth) && depth > 0 ? depth : 0;
};

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function headOf(path: string, size: number): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(Math.min(size, WRAPPER_MAX_BYTES));
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString("latin1");
  } finally {
    closeSync(fd);
  }
}

/**
 * True when running `candidate` would start iclaude again: the same file
 * (through any symlink or hard link), or a small script that names iclaude.
 */
export function leadsToSelf(candidate: string, self: string): boolean {
  const real = realpathSync(candidate);
  const selfReal = realpathSync(self);
  if (real === selfReal) return true;
  const [a, b] = [statSync(real), statSync(selfReal)];
  if (a.dev === b.dev && a.ino === b.ino) return true;
  if (a.size > WRAPPER_MAX_BYTES) return false;
  const text = headOf(real, a.size);
  return text.startsWith("#!") && (text.includes(selfReal) || text.includes(self) || /\biclaude\b/.test(text));
}

function searchPath(name: string, env: Env): string[] {
  return (env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => resolve(dir, name))
    .filter(isExecutableFile);
}

/**
 * The real claude: ICLAUDE_CLAUDE_BIN (or config `claude_bin`; a bare name is
 * looked up on PATH), else the first `claude` on PATH that does not lead back
 * to iclaude. `self` is this binary.
 */
export function findClaude(config: Pick<Config, "claudeBin">, env: Env = process.env, self: string = process.execPath): string {
  if (config.claudeBin) {
    const path = config.claudeBin.includes("/") ? resolve(config.claudeBin) : searchPath(config.claudeBin, env)[0];
    if (!path || !isExecutableFile(path)) {
      throw new IclaudeError(
        `ICLAUDE_CLAUDE_BIN (or config claude_bin) is "${config.claudeBin}", which is not an executable file; ${INSTALL_HINT}.`,
        EXIT.noClaude,
      );
    }
    if (leadsToSelf(path, self)) {
      throw new IclaudeError(
        `ICLAUDE_CLAUDE_BIN (or config claude_bin) "${config.claudeBin}" runs iclaude itself; point it at the real claude.`,
        EXIT.noClaude,
      );
    }
    return path;
  }
  const candidates = searchPath("claude", env);
  const found = candidates.find((path) => !leadsToSelf(path, self));
  if (found) return found;
  const skipped = candidates.length > 0 ? ` (${candidates.join(", ")} ${candidates.length === 1 ? "runs" : "run"} iclaude itself)` : "";
  throw new IclaudeError(`Cannot find the real claude on PATH${skipped}; ${INSTALL_HINT}.`, EXIT.noClaude);
}

/**
 * A `claude` that iclaude started which started iclaude again as its direct
 * child: a wrapper or copy the file checks above could not see through.
 * A session nested inside claude (claude → shell → iclaude) has claude or a
 * shell as its parent, never the launcher, so it is not refused.
 */
export function checkNotLooping(env: Env = process.env, parentPid: number = process.ppid): void {
  if (env[LAUNCHER_ENV] === String(parentPid)) {
    throw new IclaudeError(`The claude iclaude found runs iclaude again; set ICLAUDE_CLAUDE_BIN to the real claude.`, EXIT.noClaude);
  }
  if (launchDepth(env) >= MAX_DEPTH) {
    throw new IclaudeError(
      `iclaude has started claude ${MAX_DEPTH} levels deep: the claude it finds starts iclaude again (a wrapper script, through a shell); set ICLAUDE_CLAUDE_BIN to the real claude.`,
      EXIT.noClaude,
    );
  }
}
