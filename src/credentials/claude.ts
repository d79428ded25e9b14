import { join, resolve } from "node:path";
import type { Env } from "../base/env.ts";
import { sha256Hex } from "../base/secrets.ts";

/**
 * What iclaude knows about the agent CLI whose login it keeps, behind one small interface. Claude
 * Code is the only one; a second CLI would be a second value of this shape, and refresh/ would
 * not change. The credential file's format is Claude's too: format.ts, beside this file. The
 * setup-token fallback (refresh/setup-token.ts), the failure sentences (launcher/auth-failures.ts)
 * and the guard's Anthropic rules (guard/rules/anthropic.ts) are the CLI's other facts, kept
 * where the capability that reads them lives.
 */
export interface AgentCli {
  /** The config dir when none is named: `~/.claude`. */
  defaultConfigDir(home: string): string;
  /** The config dir the environment names (CLAUDE_CONFIG_DIR, when not empty), else undefined. */
  namedConfigDir(env: Env): string | undefined;
  /** The environment that runs the CLI in `dir`: named, or left unnamed when it is the default. */
  envForConfigDir(env: Env, dir: string, isDefault: boolean): Env;
  /** Where the CLI keeps the settings that say its onboarding is done, for a config dir. */
  settingsPaths(dir: string, home: string): string[];
  /** The dir holding the credentials and their locks, and what the Keychain service name hashes; null: no suffix. */
  storage(env: Env, home: string): { dir: string; hashInput: string | null };
  credentialsPath(dir: string): string;
  /** The OAuth refresh grant's endpoint, client id and the User-Agent the CLI sends. */
  tokenUrl: string;
  clientId(env: Env): string;
  userAgent: string;
  keychainService(hashInput: string | null): string;
  keychainAccount(env?: Env): string;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === "" ? undefined : value);

/** Claude Code's account: $USER (else the login name) only when it is a plain name, else `claude-code-user`. */
function keychainAccount(env: Env = process.env): string {
  let name: string;
  try {
    // node:os only without $USER: it costs a run about 0.3 ms.
    name = env.USER || (require("node:os") as typeof import("node:os")).userInfo().username;
  } catch {
    name = "";
  }
  return /^[a-zA-Z0-9._-]+$/.test(name) ? name : "claude-code-user";
}

const defaultConfigDir = (home: string): string => join(home, ".claude");
const namedConfigDir = (env: Env): string | undefined => nonEmpty(env.CLAUDE_CONFIG_DIR);

export const CLAUDE: AgentCli = {
  defaultConfigDir,
  namedConfigDir,
  envForConfigDir(env, dir, isDefault) {
    const out: Env = { ...env, CLAUDE_CONFIG_DIR: dir };
    if (isDefault) delete out.CLAUDE_CONFIG_DIR;
    return out;
  },
  /**
   * Claude Code keeps its settings (`hasCompletedOnboarding`) in `$CLAUDE_CONFIG_DIR/.claude.json`,
   * or in `~/.claude.json` when the config dir is `~/.claude`: both, then.
   */
  settingsPaths(dir, home) {
    const paths = [join(dir, ".claude.json")];
    if (resolve(dir) === defaultConfigDir(resolve(home))) paths.push(join(home, ".claude.json"));
    return paths;
  },
  /**
   * Claude Code's storage dir and Keychain hash input (2.1.332): CLAUDE_SECURESTORAGE_CONFIG_DIR when
   * set (empty means ~/.claude, unhashed), else CLAUDE_CONFIG_DIR, else ~/.claude — all NFC-normalised.
   */
  storage(env, home) {
    const secure = env.CLAUDE_SECURESTORAGE_CONFIG_DIR;
    if (secure !== undefined) return { dir: (secure || defaultConfigDir(home)).normalize("NFC"), hashInput: secure ? secure.normalize("NFC") : null };
    const configDir = namedConfigDir(env)?.normalize("NFC");
    return { dir: configDir ?? defaultConfigDir(home).normalize("NFC"), hashInput: configDir ?? null };
  },
  credentialsPath: (dir) => join(dir, ".credentials.json"),
  tokenUrl: "https://platform.claude.com/v1/oauth/token",
  /** CLAUDE_CODE_OAUTH_CLIENT_ID, as Claude Code reads it, else its built-in id. */
  clientId: (env) => env.CLAUDE_CODE_OAUTH_CLIENT_ID || "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
  /** What Claude Code (2.1.197 to 2.1.332) sends to the token endpoint: axios's own User-Agent. */
  userAgent: "axios/1.15.2",
  /** A suffix of the NFC dir's hash when CLAUDE_CONFIG_DIR or CLAUDE_SECURESTORAGE_CONFIG_DIR is set. */
  keychainService(hashInput) {
    const base = "Claude Code-credentials";
    if (hashInput === null) return base;
    return `${base}-${sha256Hex(hashInput.normalize("NFC")).slice(0, 8)}`;
  },
  keychainAccount,
};
