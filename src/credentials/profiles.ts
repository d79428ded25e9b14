import { mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Config, type ConfigFlags, loadConfig, resolveConfigPath } from "../base/config.ts";
import { type Env, homeOf } from "../base/env.ts";
import { describeFsError, EXIT, IclaudeError } from "../base/errors.ts";
import { readTextFile, writePrivateFile } from "../base/fs.ts";
import { onFirstUse } from "../base/lazy.ts";
import { readState, statePath } from "../base/state.ts";
import { CLAUDE } from "./claude.ts";
import { openStore } from "./store/index.ts";

/**
 * The Claude Code config dirs iclaude looks after: `~/.claude` while it holds
 * a login, and every dir added with `iclaude profiles add`. Kept in
 * `profiles.json` beside config.toml, which stays the person's own file.
 */

export interface Profile {
  dir: string;
  /** `~/.claude`, run as Claude Code runs without CLAUDE_CONFIG_DIR (its Keychain name differs). */
  isDefault: boolean;
  /** Added with `profiles add` (the default dir may be added too, to keep it listed without a login). */
  added: boolean;
}

/** Loaded when a profiles file is first read: a launch with none builds no schema. */
const schema = onFirstUse((): typeof import("./profiles-schema.ts") => require("./profiles-schema.ts"));

export const defaultClaudeDir = (env: Env = process.env): string => CLAUDE.defaultConfigDir(homeOf(env));
export const profilesPath = (env: Env = process.env): string => join(dirname(resolveConfigPath(env)), "profiles.json");

/** The dirs added so far; a damaged file is a sentence, never silently replaced. */
export function readAddedDirs(env: Env = process.env): string[] {
  const path = profilesPath(env);
  const text = readTextFile(path);
  if (text === null) return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  const parsed = schema().ProfilesFile.safeParse(data);
  if (!parsed.success) throw new IclaudeError(`The profiles file ${path} is damaged; fix it or remove it and add the profiles again.`, EXIT.usage);
  return parsed.data.dirs;
}

function writeAddedDirs(dirs: string[], env: Env): void {
  const path = profilesPath(env);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writePrivateFile(path, `${JSON.stringify({ version: 1, dirs }, null, 2)}\n`);
  } catch (error) {
    throw new IclaudeError(`Cannot write the profiles file ${path}: ${describeFsError(error)}.`, EXIT.usage);
  }
}

/** True when Claude Code has a login in this dir: its credentials file, or (macOS) its Keychain item. */
function holdsLogin(config: Config): boolean {
  try {
    return openStore(config).readBytes() !== null;
  } catch {
    // Credentials that cannot be read are still a login someone should hear about.
    return true;
  }
}

/**
 * Every profile, default first. `~/.claude` is listed when it holds a login,
 * was added, or nothing else is: there is always one to judge.
 */
export function listProfiles(env: Env = process.env): Profile[] {
  const defaultDir = defaultClaudeDir(env);
  const added = readAddedDirs(env);
  const others = added.filter((dir) => dir !== defaultDir).map((dir) => ({ dir, isDefault: false, added: true }));
  const defaultAdded = added.includes(defaultDir);
  const showDefault = defaultAdded || others.length === 0 || holdsLogin(configFor({ dir: defaultDir, isDefault: true, added: false }, {}, env));
  return [...(showDefault ? [{ dir: defaultDir, isDefault: true, added: defaultAdded }] : []), ...others];
}

/** The environment a profile is judged and refreshed in: the engine reads its config dir from CLAUDE_CONFIG_DIR. */
export const profileEnv = (profile: Profile, env: Env = process.env): Env => CLAUDE.envForConfigDir(env, profile.dir, profile.isDefault);

export const configFor = (profile: Profile, flags: ConfigFlags, env: Env = process.env): Config => loadConfig(flags, profileEnv(profile, env));

/**
 * What `--all` acts on: every profile, and the dir this iclaude was run with
 * (CLAUDE_CONFIG_DIR) when it is not one, so the shell hook keeps looking after it.
 */
export function profilesToVisit(env: Env = process.env): Profile[] {
  const profiles = listProfiles(env);
  const named = CLAUDE.namedConfigDir(env);
  const current = named ? resolve(named) : null;
  if (!current || profiles.some((p) => p.dir === current)) return profiles;
  return [...profiles, { dir: current, isDefault: false, added: false }];
}

/** `profiles add DIR`: an existing directory, by its absolute path; false when it was there already. */
export function addProfile(dir: string, env: Env = process.env): { dir: string; changed: boolean } {
  const abs = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch (error) {
    throw new IclaudeError(`Cannot add ${abs}: ${describeFsError(error)}; give the Claude Code config dir (what CLAUDE_CONFIG_DIR names).`, EXIT.usage);
  }
  if (!isDir) throw new IclaudeError(`Cannot add ${abs}: it is not a directory; give the Claude Code config dir (what CLAUDE_CONFIG_DIR names).`, EXIT.usage);
  const dirs = readAddedDirs(env);
  if (dirs.includes(abs)) return { dir: abs, changed: false };
  writeAddedDirs([...dirs, abs], env);
  return { dir: abs, changed: true };
}

/** `profiles remove DIR`: only a dir that was added can be removed. */
export function removeProfile(dir: string, env: Env = process.env): string {
  const abs = resolve(dir);
  const dirs = readAddedDirs(env);
  if (!dirs.includes(abs)) {
    const why = abs === defaultClaudeDir(env) ? "it is looked after while it holds a login" : "it is not one of iclaude's profiles (see `iclaude profiles`)";
    throw new IclaudeError(`Cannot remove ${abs}: ${why}.`, EXIT.usage);
  }
  writeAddedDirs(
    dirs.filter((d) => d !== abs),
    env,
  );
  return abs;
}

const OFFERED = "profile-offers";

/** A CLAUDE_CONFIG_DIR that is not a profile and was never offered: a person at a terminal is asked once. */
export function profileToOffer(config: Config, env: Env = process.env): string | null {
  const named = CLAUDE.namedConfigDir(env);
  if (!named) return null;
  const dir = resolve(named);
  if (dir === defaultClaudeDir(env) || readAddedDirs(env).includes(dir)) return null;
  return readState(config, OFFERED)?.split("\n").includes(dir) ? null : dir;
}

export function rememberProfileOffer(config: Config, dir: string): void {
  const before = readState(config, OFFERED) ?? "";
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  writePrivateFile(statePath(config, OFFERED), `${before}${dir}\n`);
}
