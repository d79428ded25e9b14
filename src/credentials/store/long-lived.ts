import { join } from "node:path";
import { type Config, keychainPossible } from "../../base/config.ts";
import { describeFsError, EXIT, IclaudeError } from "../../base/errors.ts";
import { writePrivateFile } from "../../base/fs.ts";
import { onFirstUse, stringsAt } from "../../base/lazy.ts";
import { ensureStateDir, readState } from "../../base/state.ts";
import { longLivedFile } from "../../base/state-trust.ts";
import { CLAUDE } from "../claude.ts";
import { type KeychainItem, readKeychain, writeKeychain } from "./keychain.ts";
import type { LongLivedToken } from "./schemas.ts";

export type { LongLivedToken } from "./schemas.ts";

/** Loaded when a stored token is first validated. */
const schemas = onFirstUse((): typeof import("./schemas.ts") => require("./schemas.ts"));

const SERVICE = "iclaude-long-lived-token";

/** One token per profile (see Config.profileSuffix): `~/.claude`'s keeps the names it had before profiles. */
export const longLivedPath = (config: Config): string => join(config.stateDir, longLivedFile(config));

function keychainItem(config: Config): KeychainItem {
  return { bin: config.securityBin, service: `${SERVICE}${config.profileSuffix}`, account: CLAUDE.keychainAccount() };
}

function readText(config: Config): string | null {
  try {
    // From the file only when the state dir can be trusted: a token planted there would be handed to claude.
    return keychainPossible(config) ? readKeychain(keychainItem(config)) : readState(config, longLivedFile(config));
  } catch {
    return null;
  }
}

/** The stored long-lived token, or null when there is none or it is unreadable. */
export function readLongLived(config: Config): LongLivedToken | null {
  const text = readText(config);
  if (text === null) return null;
  try {
    const parsed = schemas().LongLivedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The stored long-lived token's value, unvalidated (see stringsAt). */
export const longLivedTokens = (config: Config): string[] => stringsAt(readText(config), [["token"]]);

export function writeLongLived(config: Config, record: LongLivedToken): void {
  const text = JSON.stringify(schemas().LongLivedSchema.parse(record));
  if (keychainPossible(config)) {
    writeKeychain(keychainItem(config), text);
    return;
  }
  try {
    ensureStateDir(config);
    writePrivateFile(longLivedPath(config), text);
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(`Cannot save the long-lived token in ${config.stateDir}: ${describeFsError(error)}.`, EXIT.refreshFailed, { cause: error });
  }
}
