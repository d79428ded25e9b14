import { join } from "node:path";
import { type Env, homeOf } from "../base/env.ts";
import { REFRESH_ARGS } from "../edges/contract.ts";
import { type Backend, ownsUnit, removeUnit, runTool, schedulablePath, writeUnit } from "./common.ts";
import plistTemplate from "./units/dev.iclaude.refresh.plist" with { type: "text" };

const LABEL = "dev.iclaude.refresh";

/** A LaunchAgent's plist, by its label. */
export const launchdAgentPath = (env: Env, label: string): string => join(homeOf(env), "Library", "LaunchAgents", `${label}.plist`);
export const launchdPlistPath = (env: Env): string => launchdAgentPath(env, LABEL);

export const xmlText = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const renderPlist = (bin: string): string =>
  plistTemplate
    .replace("@ICLAUDE_BIN@", () => xmlText(schedulablePath(bin, "a launchd plist")))
    .replace("@REFRESH_ARGS_PLIST@", () => REFRESH_ARGS.map((arg) => `\t\t<string>${arg}</string>`).join("\n"));

/** The GUI domain of this user, where a LaunchAgent runs. */
const domain = (): string => `gui/${process.getuid?.() ?? 501}`;

const launchctl = (env: Env, ...args: string[]) => runTool(["launchctl", ...args], env);

/** A LaunchAgent iclaude writes and loads: the schedule's timer, the broker's service. `by`: the command that writes it. */
export function launchAgent(label: string, render: (bin: string) => string, by: string): Omit<Backend, "name"> {
  return {
    install(bin, env) {
      const path = launchdAgentPath(env, label);
      const changed = writeUnit(path, render(bin), by);
      const said = [changed ? `launchd: wrote ${path}` : `launchd: ${path} already installed`];
      const loaded = launchctl(env, "print", `${domain()}/${label}`);
      if (loaded === null) return [...said, `launchd: launchctl is not on this machine; on the Mac, run: launchctl bootstrap gui/$(id -u) ${path}`];
      if (!changed && loaded.code === 0) return said;
      if (loaded.code === 0) launchctl(env, "bootout", `${domain()}/${label}`);
      const boot = launchctl(env, "bootstrap", domain(), path);
      said.push(
        boot?.code === 0 ? `launchd: loaded ${label}` : `launchd: loading failed (${boot?.err || "no answer"}); run: launchctl bootstrap gui/$(id -u) ${path}`,
      );
      return said;
    },
    remove(env) {
      const path = launchdAgentPath(env, label);
      if (ownsUnit(path)) launchctl(env, "bootout", `${domain()}/${label}`);
      const done = removeUnit(path);
      if (done === "removed") return [`launchd: removed ${path}`];
      return done === "foreign" ? [`launchd: left ${path} alone: iclaude did not write it`] : [];
    },
    installed(env) {
      const path = launchdAgentPath(env, label);
      if (!ownsUnit(path)) return null;
      const loaded = launchctl(env, "print", `${domain()}/${label}`);
      return { where: path, state: loaded === null ? null : loaded.code === 0 ? "loaded" : "not loaded" };
    },
  };
}

export const launchd: Backend = { name: "launchd", ...launchAgent(LABEL, renderPlist, "iclaude schedule install") };
