import { join } from "node:path";
import { homeOf, type Env } from "../base/env.ts";
import { ownsUnit, removeUnit, runTool, schedulablePath, writeUnit, type Backend } from "./common.ts";
import plistTemplate from "./units/dev.iclaude.refresh.plist" with { type: "text" };

const LABEL = "dev.iclaude.refresh";

export const launchdPlistPath = (env: Env): string => join(homeOf(env), "Library", "LaunchAgents", `${LABEL}.plist`);

const xmlText = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const renderPlist = (bin: string): string => plistTemplate.replace("@ICLAUDE_BIN@", () => xmlText(schedulablePath(bin, "a launchd plist")));

/** The GUI domain of this user, where a LaunchAgent runs. */
const domain = (): string => `gui/${process.getuid?.() ?? 501}`;

const launchctl = (env: Env, ...args: string[]) => runTool(["launchctl", ...args], env);

export const launchd: Backend = {
  name: "launchd",
  install(bin, env) {
    const path = launchdPlistPath(env);
    const changed = writeUnit(path, renderPlist(bin));
    const said = [changed ? `launchd: wrote ${path}` : `launchd: ${path} already installed`];
    const loaded = launchctl(env, "print", `${domain()}/${LABEL}`);
    if (loaded === null) return [...said, `launchd: launchctl is not on this machine; on the Mac, run: launchctl bootstrap gui/$(id -u) ${path}`];
    if (!changed && loaded.code === 0) return said;
    if (loaded.code === 0) launchctl(env, "bootout", `${domain()}/${LABEL}`);
    const boot = launchctl(env, "bootstrap", domain(), path);
    said.push(boot?.code === 0 ? `launchd: loaded ${LABEL}` : `launchd: loading failed (${boot?.err || "no answer"}); run: launchctl bootstrap gui/$(id -u) ${path}`);
    return said;
  },
  remove(env) {
    const path = launchdPlistPath(env);
    if (ownsUnit(path)) launchctl(env, "bootout", `${domain()}/${LABEL}`);
    const done = removeUnit(path);
    if (done === "removed") return [`launchd: removed ${path}`];
    return done === "foreign" ? [`launchd: left ${path} alone: iclaude did not write it`] : [];
  },
  installed(env) {
    const path = launchdPlistPath(env);
    if (!ownsUnit(path)) return null;
    const loaded = launchctl(env, "print", `${domain()}/${LABEL}`);
    return { where: path, state: loaded === null ? null : loaded.code === 0 ? "loaded" : "not loaded" };
  },
};
