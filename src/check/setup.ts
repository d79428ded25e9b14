import { statSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import type { Config } from "../base/config.ts";
import { formatDuration } from "../base/durations.ts";
import type { Env } from "../base/env.ts";
import { readTextFile } from "../base/fs.ts";
import { git } from "../guard/git.ts";
import { globalHooksDir, repoStub, stubBinary } from "../guard/install.ts";
import { HOOK_NAMES } from "../guard/run.ts";
import { BACKENDS, type BackendName, lastRun } from "../schedule/index.ts";
import { type Check, fail, ok, realOrNull, warn } from "./types.ts";

const HOUR_MS = 3600_000;
/** An hourly timer that has not run for this long since it was installed is not running. */
const SILENT_MS = 2 * HOUR_MS;

const START: Record<BackendName, string> = {
  systemd: 'run: systemctl --user enable --now iclaude-refresh.timer (and `loginctl enable-linger "$USER"` for runs while logged out)',
  launchd: "run: launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/dev.iclaude.refresh.plist",
  cron: "check that cron runs (systemctl status cron) and that `crontab -l` holds iclaude's line",
};

/** The OS timer: installed, and when it last ran and how; one installed that never runs is a failure. */
export function scheduleChecks(config: Pick<Config, "stateDir">, env: Env, now: number): Check[] {
  const checks: Check[] = [];
  for (const backend of Object.values(BACKENDS)) {
    const where = backend.installed(env);
    if (!where) continue;
    const id = `schedule:${backend.name}`;
    const run = lastRun(config, backend.name, now);
    const since = statSync(where.where, { throwIfNoEntry: false })?.mtimeMs ?? null;
    if (!run) {
      const silent = since !== null && now - since > SILENT_MS;
      const summary = `${backend.name} timer installed${since === null ? "" : ` ${formatDuration((now - since) / 1000)} ago`} but has never run`;
      checks.push(
        silent
          ? fail(id, summary, START[backend.name])
          : warn(id, `${summary} (it runs hourly)`, `wait an hour, then look again; if it still has not run, ${START[backend.name]}`),
      );
      continue;
    }
    const ago = now - run.at;
    const how = run.profiles.map((p) => `${p.dir}: ${p.line}`).join("; ");
    if (ago > SILENT_MS) checks.push(warn(id, `${backend.name} timer last ran ${formatDuration(ago / 1000)} ago (${how})`, START[backend.name]));
    else if (run.profiles.some((p) => p.failed))
      checks.push(warn(id, `${backend.name} timer ran ${formatDuration(ago / 1000)} ago and failed: ${how}`, "run `iclaude refresh --all` to see why"));
    else checks.push(ok(id, `${backend.name} timer ran ${formatDuration(ago / 1000)} ago: ${how}`));
  }
  return checks.length ? checks : [warn("schedule", "no OS timer refreshes the login while no shell is open", "run: iclaude schedule install")];
}

/** ICLAUDE_BROKER's socket accepts a connection (nothing is asked of it). */
export function brokerCheck(env: Env): Promise<Check | null> {
  const path = env.ICLAUDE_BROKER;
  if (!path) return Promise.resolve(null);
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(3_000, () =>
      done(
        fail(
          "broker",
          `the broker at ${path} does not answer`,
          "start `iclaude broker serve` on the host (or `iclaude broker install`) and mount its socket dir",
        ),
      ),
    );
    socket.once("connect", () => done(ok("broker", `the broker at ${path} answers`)));
    socket.once("error", (error) =>
      done(
        fail(
          "broker",
          `the broker at ${path} cannot be reached (${error.message})`,
          "start `iclaude broker serve` on the host (or `iclaude broker install`) and mount its socket dir",
        ),
      ),
    );
  });
}

/** The hooks iclaude installed in `dir`: each must call a binary that exists, this one, as this one writes it. */
function hooksIn(dir: string, what: string, self: string, repo: boolean): Check | null {
  const id = `hooks:${what}`;
  const again = repo ? "iclaude hooks install" : "iclaude hooks install --global";
  const found: string[] = [];
  for (const hook of HOOK_NAMES) {
    const text = readTextFile(join(dir, hook));
    const bin = text === null ? null : stubBinary(text);
    if (bin === null) continue;
    found.push(hook);
    if (realOrNull(bin) === null)
      return fail(id, `${join(dir, hook)} calls ${bin}, which is gone: commits are not checked for secrets`, `run: ${again} (or \`${again} --uninstall\`)`);
    if (realOrNull(bin) !== realOrNull(self)) return warn(id, `${join(dir, hook)} calls another iclaude (${bin})`, `run: ${again}, to have it call this one`);
    if (repo && text !== repoStub(hook, bin)) return warn(id, `${join(dir, hook)} was written by an older iclaude`, `run: ${again}`);
  }
  return found.length ? ok(id, `${what}: ${found.join(", ")} call this iclaude`) : null;
}

/** This repository's hooks and the global ones (the global core.hooksPath iclaude set). */
export async function hookChecks(env: Env, self: string): Promise<Check[]> {
  const global = globalHooksDir(env);
  const checks: (Check | null)[] = [];
  const hooksPath = await git(["config", "--global", "--get", "core.hooksPath"]).catch(() => null);
  if (hooksPath?.code === 0 && hooksPath.stdout.trim() === global) checks.push(hooksIn(global, "global", self, false));
  const repo = await git(["rev-parse", "--path-format=absolute", "--git-path", "hooks"]).catch(() => null);
  const dir = repo?.code === 0 ? repo.stdout.trim() : null;
  if (dir && dir !== global) checks.push(hooksIn(dir, "this repository", self, true));
  const found = checks.filter((c): c is Check => c !== null);
  return found.length ? found : [warn("hooks", "the git guard is not installed, here or globally", "run: iclaude hooks install --global")];
}

/** macOS: the Keychain Claude Code keeps its login in is unlocked. */
export function keychainCheck(config: Pick<Config, "securityBin">, env: Env, platform = process.platform): Check | null {
  if (platform !== "darwin") return null;
  const run = Bun.spawnSync([config.securityBin, "show-keychain-info"], {
    env: env as Record<string, string>,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    timeout: 10_000,
  });
  if (run.exitCode === 0) return ok("keychain", "the login Keychain is unlocked");
  return warn("keychain", "the login Keychain is locked, so claude and iclaude cannot read the login from it", "run: security unlock-keychain");
}
