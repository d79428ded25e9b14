import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../base/config.ts";
import { type Env, homeOf } from "../base/env.ts";
import { readTextFile } from "../base/fs.ts";
import { INIT_SHELLS, SHELLS, userShell } from "../edges/shells.ts";
import { findClaude } from "../launcher/find.ts";
import { TESTED_WITH } from "../version.ts";
import { type Check, fail, ok, realOrNull, warn } from "./types.ts";

const newer = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });

/** The real claude, and whether its version is one iclaude was tested with (or lies between them). */
export function claudeCheck(config: Pick<Config, "claudeBin">, env: Env): Check {
  let bin: string;
  try {
    bin = findClaude(config, env);
  } catch (error) {
    return fail(
      "claude",
      (error as Error).message.replace(/;.*$/, ""),
      "install Claude Code (npm install -g @anthropic-ai/claude-code), or set ICLAUDE_CLAUDE_BIN to the real claude",
    );
  }
  const run = Bun.spawnSync([bin, "--version"], { env: env as Record<string, string>, stdin: "ignore", stdout: "pipe", stderr: "ignore", timeout: 10_000 });
  const version = /\b(\d+\.\d+\.\d+)\b/.exec(run.stdout.toString())?.[1];
  if (!version)
    return warn("claude", `${bin} did not tell its version (claude --version)`, "check that it is Claude Code, or set ICLAUDE_CLAUDE_BIN to the real claude");
  const [low, high] = [TESTED_WITH[0] ?? version, TESTED_WITH.at(-1) ?? version];
  const range = TESTED_WITH.join(" and ");
  if (newer(version, low) < 0)
    return warn("claude", `claude ${version} (${bin}) is older than iclaude was tested with (${range})`, "update Claude Code: claude update");
  if (newer(version, high) > 0)
    return warn(
      "claude",
      `claude ${version} (${bin}) is newer than iclaude was tested with (${range}); it most likely works`,
      "update iclaude when a release tested with it is out",
    );
  return ok("claude", `claude ${version} (${bin}), within what iclaude was tested with (${range})`);
}

/** The line that puts a directory on PATH, for the shell the user logs in with. */
function pathLine(dir: string, env: Env): string {
  const shell = userShell(env);
  if (shell.name === "fish") return `run once: ${shell.pathLine(dir)}`;
  return `add this line to ${shell.rcFile(env)}: ${shell.pathLine(dir)}`;
}

/** `iclaude` typed in this shell runs this very binary. */
export function pathCheck(env: Env, self: string): Check {
  const found = Bun.which("iclaude", { PATH: env.PATH ?? "" });
  if (!found) return fail("path", `iclaude is not on PATH in this shell (it is ${self})`, pathLine(dirname(self), env));
  if (realOrNull(found) !== realOrNull(self))
    return warn("path", `iclaude on PATH is ${found}, not this one (${self})`, `run the one you mean, or ${pathLine(dirname(self), env)}`);
  return ok("path", `iclaude on PATH is this one (${found})`);
}

/** The integration loaded in this shell (it exports ICLAUDE_SHELL_HOOK), and install.sh's cached files naming this binary and no older than it. */
export function shellChecks(env: Env, self: string): Check[] {
  const user = userShell(env);
  const hook = env.ICLAUDE_SHELL_HOOK;
  const checks: Check[] = [];
  if (!hook)
    checks.push(
      warn(
        "shell",
        "the shell integration is not loaded in this shell",
        `open a new shell; if it is still not loaded, run ./install.sh or add \`${user.initLine}\` to your ${user.name} rc file`,
      ),
    );
  else if (realOrNull(hook) === null)
    checks.push(
      fail("shell", `the shell integration loaded here calls ${hook}, which is gone`, "open a new shell (install.sh's line writes the integration again)"),
    );
  else checks.push(ok("shell", `the shell integration is loaded (it calls ${hook})`));
  const cacheDir = join(env.XDG_CACHE_HOME || join(homeOf(env), ".cache"), "iclaude");
  const selfTime = statSync(self, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  for (const name of INIT_SHELLS) {
    const file = join(cacheDir, `init.${name}`);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats) continue;
    let text: string | null = null;
    try {
      text = readTextFile(file);
    } catch {
      // Unreadable: counted as written by another iclaude, and written again by the fix.
    }
    const names = text?.includes(SHELLS[name].quote(self)) === true;
    // Run in the shell the person is in, whichever shell's file it writes.
    const again = `${user.quote(self)} init ${name} --cache ${user.quote(file)} >/dev/null`;
    if (!names) checks.push(warn(`shell-cache:${name}`, `${file} was written by another iclaude`, `run: ${again}`));
    else if (stats.mtimeMs < selfTime)
      checks.push(warn(`shell-cache:${name}`, `${file} is older than this iclaude (the next ${name} writes it again)`, `open a new ${name}, or run: ${again}`));
    else checks.push(ok(`shell-cache:${name}`, `${file} is current`));
  }
  return checks;
}
