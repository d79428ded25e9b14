import { realpathSync } from "node:fs";

/** One finding of `iclaude check`: what was looked at, how it stands, and what would put it right. */
export interface Check {
  /** Stable, for scripts: `claude`, `path`, `login:/home/me/.claude`, … */
  id: string;
  status: "ok" | "warn" | "fail";
  summary: string;
  /** A command or a step; null when nothing needs doing. */
  fix: string | null;
}

export const ok = (id: string, summary: string): Check => ({ id, status: "ok", summary, fix: null });
export const warn = (id: string, summary: string, fix: string): Check => ({ id, status: "warn", summary, fix });
export const fail = (id: string, summary: string, fix: string): Check => ({ id, status: "fail", summary, fix });

/** The process with this pid is running (one we may not signal is running too). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/** Where a path leads, or null when nothing is there. */
export function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
