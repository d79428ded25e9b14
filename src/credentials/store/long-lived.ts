import { join } from "node:path";
import * as z from "zod/mini";
import type { Config } from "../../base/config.ts";
import { describeFsError, EXIT, IclaudeError } from "../../base/errors.ts";
import { writePrivateFile } from "../../base/fs.ts";
import { LONG_LIVED_TOKEN } from "../../base/secrets.ts";
import { LONG_LIVED_FILE } from "../../base/state-trust.ts";
import { ensureStateDir, readState } from "../../base/state.ts";
import { CLAUDE } from "../claude.ts";
import { readKeychain, writeKeychain, type KeychainItem } from "./keychain.ts";

/** The token `claude setup-token` printed: kept by iclaude, never in Claude Code's credentials. */
const LongLivedSchema = z.object({
  token: z.string().check(z.regex(LONG_LIVED_TOKEN)),
  expiresAt: z.number(),
  createdAt: z.number(),
});
export type LongLivedToken = z.infer<typeof LongLivedSchema>;

const SERVICE = "iclaude-long-lived-token";

export const longLivedPath = (config: Config): string => join(config.stateDir, LONG_LIVED_FILE);

function keychainItem(config: Config): KeychainItem {
  return { bin: config.securityBin, service: SERVICE, account: CLAUDE.keychainAccount() };
}

const useKeychain = (config: Config): boolean =>
  config.store === "keychain" || (config.store === "auto" && process.platform === "darwin");

/** The stored long-lived token, or null when there is none or it is unreadable. */
export function readLongLived(config: Config): LongLivedToken | null {
  let text: string | null;
  try {
    // From the file only when the state dir can be trusted: a token planted there would be handed to claude.
    text = useKeychain(config) ? readKeychain(keychainItem(config)) : readState(config, LONG_LIVED_FILE);
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    const parsed = LongLivedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeLongLived(config: Config, record: LongLivedToken): void {
  const text = JSON.stringify(LongLivedSchema.parse(record));
  if (useKeychain(config)) {
    writeKeychain(keychainItem(config), text);
    return;
  }
  try {
    ensureStateDir(config);
    writePrivateFile(longLivedPath(config), text);
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw new IclaudeError(
      `Cannot save the long-lived token in ${config.stateDir}: ${describeFsError(error)}.`,
      EXIT.refreshFailed,
      { cause: error },
    );
  }
}
