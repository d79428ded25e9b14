import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Env, homeOf } from "../base/env.ts";
import { fillContract } from "../edges/contract.ts";
import { type Backend, ownsUnit, removeUnit, runTool, schedulablePath, writeUnit } from "./common.ts";
import serviceTemplate from "./units/iclaude-refresh.service" with { type: "text" };
import timerTemplate from "./units/iclaude-refresh.timer" with { type: "text" };

const TIMER = "iclaude-refresh.timer";

export const systemdUnitDir = (env: Env): string => join(env.XDG_CONFIG_HOME || join(homeOf(env), ".config"), "systemd", "user");

/**
 * ExecStart's executable: quoted, with systemd's specifiers (`%`) escaped. systemd expands no variable
 * in the executable's name (a `$` stays as it is), and refuses a quote or a backslash there.
 */
export const execWord = (path: string): string => `"${schedulablePath(path, "a systemd unit", `"'\\`).replaceAll("%", "%%")}"`;

export const renderService = (bin: string): string => fillContract(serviceTemplate.replace("@ICLAUDE_BIN@", () => execWord(bin)));
export const renderTimer = (): string => timerTemplate;

/** The user's systemd manager answers: `systemctl --user` can enable the timer now. */
function userManager(env: Env): boolean {
  return runTool(["systemctl", "--user", "show-environment"], env)?.code === 0;
}

const systemctl = (env: Env, ...args: string[]) => runTool(["systemctl", "--user", ...args], env);

function lingerHint(env: Env): string[] {
  const user = env.USER || env.LOGNAME;
  if (!user || existsSync(join("/var/lib/systemd/linger", user))) return [];
  return [`On a machine nobody logs in to, also run \`loginctl enable-linger ${user}\`: the timer then runs without a session.`];
}

export const systemd: Backend = {
  name: "systemd",
  install(bin, env) {
    const dir = systemdUnitDir(env);
    const changed = [writeUnit(join(dir, "iclaude-refresh.service"), renderService(bin)), writeUnit(join(dir, TIMER), renderTimer())].some(Boolean);
    const said = [
      changed ? `systemd: wrote ${join(dir, "iclaude-refresh.service")} and ${TIMER}` : `systemd: ${dir}/iclaude-refresh.{service,timer} already installed`,
    ];
    if (!userManager(env)) {
      said.push(`systemd: the user manager is not reachable here; once it is, run: systemctl --user daemon-reload && systemctl --user enable --now ${TIMER}`);
      return [...said, ...lingerHint(env)];
    }
    if (!changed && systemctl(env, "is-enabled", "--quiet", TIMER)?.code === 0) return said;
    const reload = systemctl(env, "daemon-reload");
    const enable = reload?.code === 0 ? systemctl(env, "enable", "--now", TIMER) : reload;
    if (enable?.code !== 0) said.push(`systemd: enabling the timer failed (${enable?.err || "no answer"}); run: systemctl --user enable --now ${TIMER}`);
    else said.push(`systemd: ${TIMER} enabled and started`);
    return [...said, ...lingerHint(env)];
  },
  remove(env) {
    const dir = systemdUnitDir(env);
    const manager = userManager(env);
    if (manager && ownsUnit(join(dir, TIMER))) systemctl(env, "disable", "--now", TIMER);
    const said = ["iclaude-refresh.service", TIMER].map((name) => {
      const path = join(dir, name);
      const done = removeUnit(path);
      return done === "removed" ? `systemd: removed ${path}` : done === "foreign" ? `systemd: left ${path} alone: iclaude did not write it` : null;
    });
    if (manager && said.some(Boolean)) systemctl(env, "daemon-reload");
    return said.filter((line): line is string => line !== null);
  },
  installed(env) {
    const timer = join(systemdUnitDir(env), TIMER);
    if (!ownsUnit(timer)) return null;
    const active = userManager(env) ? (systemctl(env, "is-active", TIMER)?.out.trim() ?? null) : "not loaded: the user manager is not reachable here";
    return { where: timer, state: active ? `timer ${active}` : null };
  },
};
