import { join } from "node:path";
import { CLAUDE } from "../credentials/claude.ts";
import { DEFAULT_PROTECTED_PATHS } from "../guard/rules/paths.ts";
import type { FileConfig } from "./config-schema.ts";
import { parseDuration } from "./durations.ts";
import { type Env, homeOf } from "./env.ts";
import { IclaudeError, messageOf } from "./errors.ts";
import { readTextFile } from "./fs.ts";
import { onFirstUse } from "./lazy.ts";
import { sha256Hex } from "./secrets.ts";

export type StoreChoice = "auto" | "file" | "keychain";

export interface Config {
  /** Seconds before the login ends from which a person is warned. */
  threshold: number;
  /** Seconds before the access token expires from which a refresh is due. */
  refreshMargin: number;
  /** Seconds after a failed refresh before the network is tried again. */
  cooldown: number;
  tokenUrl: string;
  /** iclaude's own client id (ICLAUDE_CLIENT_ID, config client_id); unset, the credential's own wins. */
  clientId: string | undefined;
  /** What the token endpoint is told: Claude Code's User-Agent unless ICLAUDE_USER_AGENT overrides it. */
  userAgent: string;
  store: StoreChoice;
  claudeBin: string | undefined;
  securityBin: string;
  /** Where Claude Code keeps its credentials and their locks: CLAUDE_SECURESTORAGE_CONFIG_DIR, else the config dir (NFC). */
  claudeConfigDir: string;
  /** What Claude Code hashes into its Keychain service name; null when the name has no suffix. */
  keychainHashInput: string | null;
  credentialsPath: string;
  /**
   * What tells this login's own state (its long-lived token) from another profile's: "" for
   * `~/.claude`, else `-` and 8 hex digits of the NFC config dir's SHA-256, as Claude Code suffixes
   * its Keychain item. Without it a token made for one profile would be handed to claude under another.
   */
  profileSuffix: string;
  stateDir: string;
  configPath: string;
  /** Run by /bin/sh -c with a notice on stdin when a timer's run finds a login a person must see to (ICLAUDE_NOTIFY_COMMAND, [notify] command). */
  notifyCommand: string | undefined;
  guard: GuardConfig;
}

export interface GuardConfig {
  /** Regular expressions; a finding whose line or path matches one is allowed. */
  allow: string[];
  /** Globs agents may not commit. */
  protectedPaths: string[];
  /** Apply the agent rules to human commits too. */
  strictForHumans: boolean;
}

/** Command-line values; they win over everything else. */
export interface ConfigFlags {
  threshold?: string;
  refreshMargin?: string;
  cooldown?: string;
}

export { DEFAULT_PROTECTED_PATHS } from "../guard/rules/paths.ts";

/** Loaded when there is a config file to check. */
const configSchema = onFirstUse((): typeof import("./config-schema.ts") => require("./config-schema.ts"));

const nonEmpty = (value: string | undefined): string | undefined => (value ? value : undefined);

export function resolveConfigPath(env: Env = process.env): string {
  const home = homeOf(env);
  return nonEmpty(env.ICLAUDE_CONFIG) ?? join(nonEmpty(env.XDG_CONFIG_HOME) ?? join(home, ".config"), "iclaude", "config.toml");
}

function readConfigFile(path: string): FileConfig {
  let text: string | null;
  try {
    // Non-blocking, regular files only, 1 MiB at most: a FIFO or /dev/zero here cannot hang a launch.
    text = readTextFile(path);
  } catch (error) {
    throw new IclaudeError(error instanceof Error ? error.message.replace(/^Cannot read /, "Cannot read the config file ") : String(error), undefined, {
      cause: error,
    });
  }
  if (text === null) return {};
  let data: unknown;
  try {
    data = Bun.TOML.parse(text);
  } catch (error) {
    const reason = messageOf(error);
    throw new IclaudeError(`The config file ${path} is not valid TOML (${reason}); fix or remove it.`);
  }
  const problem = configSchema().problemWith(data);
  if (problem.ok) return problem.value;
  throw new IclaudeError(`The config file ${path} has a bad value — ${problem.what}; see the README's Configuration section.`);
}

/** The token endpoint receives refresh tokens: https anywhere, plain http only on this machine. */
function checkTokenUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new IclaudeError(`${where}: "${value.slice(0, 80)}" is not a URL.`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new IclaudeError(`${where}: the token endpoint must use https (plain http is allowed only on 127.0.0.1 or localhost).`);
  }
  return url.href;
}

function pick<T>(flag: T | undefined, envValue: T | undefined, fileValue: T | undefined, fallback: T): [T, string] {
  if (flag !== undefined) return [flag, "command line"];
  if (envValue !== undefined) return [envValue, "environment"];
  if (fileValue !== undefined) return [fileValue, "config file"];
  return [fallback, "default"];
}

function durationSetting(name: string, envName: string, flag: string | undefined, env: Env, file: string | number | undefined, fallback: string): number {
  const [value, source] = pick<string | number>(flag, nonEmpty(env[envName]), file, fallback);
  const where = source === "environment" ? envName : source === "config file" ? `config ${name}` : `--${name.replace("_", "-")}`;
  return parseDuration(value, where);
}

/** Whether a login may be in the macOS Keychain (`auto` looks there first on macOS); false: it is in the file, nowhere else. */
export const keychainPossible = (config: Pick<Config, "store">, platform: NodeJS.Platform = process.platform): boolean =>
  config.store === "keychain" || (config.store === "auto" && platform === "darwin");

/** Reads config.toml, the environment and the flags into one validated Config. */
export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Config {
  const home = homeOf(env);
  const configPath = resolveConfigPath(env);
  const file = readConfigFile(configPath);
  const storage = CLAUDE.storage(env, home);
  const [tokenUrl, tokenUrlSource] = pick(undefined, nonEmpty(env.ICLAUDE_TOKEN_URL), file.token_url, CLAUDE.tokenUrl);
  const storeEnv = nonEmpty(env.ICLAUDE_STORE);
  if (storeEnv && !["auto", "file", "keychain"].includes(storeEnv)) {
    throw new IclaudeError(`ICLAUDE_STORE: "${storeEnv.slice(0, 40)}" is not one of auto, file, keychain.`);
  }
  return {
    threshold: durationSetting("threshold", "ICLAUDE_THRESHOLD", flags.threshold, env, file.threshold, "7d"),
    refreshMargin: durationSetting("refresh_margin", "ICLAUDE_REFRESH_MARGIN", flags.refreshMargin, env, file.refresh_margin, "1h"),
    cooldown: durationSetting("cooldown", "ICLAUDE_COOLDOWN", flags.cooldown, env, file.cooldown, "30s"),
    tokenUrl: checkTokenUrl(tokenUrl, tokenUrlSource === "environment" ? "ICLAUDE_TOKEN_URL" : "config token_url"),
    clientId: nonEmpty(env.ICLAUDE_CLIENT_ID) ?? file.client_id,
    userAgent: nonEmpty(env.ICLAUDE_USER_AGENT) ?? CLAUDE.userAgent,
    store: pick<StoreChoice>(undefined, storeEnv as StoreChoice | undefined, file.store, "auto")[0],
    claudeBin: nonEmpty(env.ICLAUDE_CLAUDE_BIN) ?? file.claude_bin,
    securityBin: nonEmpty(env.ICLAUDE_SECURITY_BIN) ?? "/usr/bin/security",
    claudeConfigDir: storage.dir,
    keychainHashInput: storage.hashInput,
    credentialsPath: CLAUDE.credentialsPath(storage.dir),
    profileSuffix: storage.dir === CLAUDE.defaultConfigDir(home).normalize("NFC") ? "" : `-${sha256Hex(storage.dir).slice(0, 8)}`,
    stateDir: nonEmpty(env.ICLAUDE_STATE_DIR) ?? join(nonEmpty(env.XDG_STATE_HOME) ?? join(home, ".local", "state"), "iclaude"),
    configPath,
    notifyCommand: nonEmpty(env.ICLAUDE_NOTIFY_COMMAND) ?? file.notify?.command,
    guard: {
      allow: file.guard?.allow ?? [],
      protectedPaths: file.guard?.protected_paths ?? DEFAULT_PROTECTED_PATHS,
      strictForHumans: file.guard?.strict_for_humans ?? false,
    },
  };
}
