import { join } from "node:path";
import type { Env } from "../base/env.ts";
import { type Backend, ownsUnit, removeUnit, runTool, schedulablePath, writeUnit } from "./common.ts";
import { launchAgent, xmlText } from "./launchd.ts";
import { execWord, systemdUnitDir } from "./systemd.ts";
import plistTemplate from "./units/dev.iclaude.broker.plist" with { type: "text" };
import serviceTemplate from "./units/iclaude-broker.service" with { type: "text" };

/**
 * `iclaude broker serve` as a user service, kept running by the OS the way the schedule's timer is
 * run by it: a systemd user unit, or a launchd LaunchAgent. Written from the same templates' rules
 * (the binary's own path, quoted for the file it goes in) and marked so `remove` takes out only its own.
 */
export type ServiceName = "systemd" | "launchd";

export type Service = Omit<Backend, "name"> & { name: ServiceName };

const UNIT = "iclaude-broker.service";
const LABEL = "dev.iclaude.broker";
const BY = "iclaude broker install";

export const renderBrokerService = (bin: string): string => serviceTemplate.replace("@ICLAUDE_BIN@", () => execWord(bin));
export const renderBrokerPlist = (bin: string): string => plistTemplate.replace("@ICLAUDE_BIN@", () => xmlText(schedulablePath(bin, "a launchd plist")));

const systemctl = (env: Env, ...args: string[]) => runTool(["systemctl", "--user", ...args], env);

const systemd: Service = {
  name: "systemd",
  install(bin, env) {
    const path = join(systemdUnitDir(env), UNIT);
    const changed = writeUnit(path, renderBrokerService(bin), BY);
    const said = [changed ? `systemd: wrote ${path}` : `systemd: ${path} already installed`];
    if (systemctl(env, "show-environment")?.code !== 0) {
      return [
        ...said,
        `systemd: the user manager is not reachable here; once it is, run: systemctl --user daemon-reload && systemctl --user enable --now ${UNIT}`,
      ];
    }
    if (!changed && systemctl(env, "is-active", "--quiet", UNIT)?.code === 0) return said;
    const reload = systemctl(env, "daemon-reload");
    const enable = reload?.code === 0 ? systemctl(env, "enable", "--now", UNIT) : reload;
    if (changed && enable?.code === 0) systemctl(env, "restart", UNIT);
    said.push(
      enable?.code === 0
        ? `systemd: ${UNIT} enabled and started`
        : `systemd: starting it failed (${enable?.err || "no answer"}); run: systemctl --user enable --now ${UNIT}`,
    );
    return said;
  },
  remove(env) {
    const path = join(systemdUnitDir(env), UNIT);
    const manager = systemctl(env, "show-environment")?.code === 0;
    if (manager && ownsUnit(path)) systemctl(env, "disable", "--now", UNIT);
    const done = removeUnit(path);
    if (manager && done === "removed") systemctl(env, "daemon-reload");
    if (done === "removed") return [`systemd: removed ${path}`];
    return done === "foreign" ? [`systemd: left ${path} alone: iclaude did not write it`] : [];
  },
  installed(env) {
    const path = join(systemdUnitDir(env), UNIT);
    if (!ownsUnit(path)) return null;
    const manager = systemctl(env, "show-environment")?.code === 0;
    return {
      where: path,
      state: manager ? `service ${systemctl(env, "is-active", UNIT)?.out.trim() || "unknown"}` : "not loaded: the user manager is not reachable here",
    };
  },
};

const launchd: Service = { name: "launchd", ...launchAgent(LABEL, renderBrokerPlist, BY) };

export const SERVICES: Record<ServiceName, Service> = { systemd, launchd };

/** launchd on macOS, systemd elsewhere: cron cannot keep a server running. */
export const defaultService = (platform: NodeJS.Platform = process.platform): ServiceName => (platform === "darwin" ? "launchd" : "systemd");
