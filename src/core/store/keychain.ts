import { createHash } from "node:crypto";
import { userInfo } from "node:os";
import { EXIT, IclaudeError } from "../errors.ts";

/** `security` exits 44 when the item does not exist. */
const NOT_FOUND = 44;

export interface KeychainItem {
  bin: string;
  service: string;
  account: string;
}

/** Claude Code's service name: a suffix of the config dir's hash when CLAUDE_CONFIG_DIR is set. */
export function claudeKeychainService(claudeConfigDir: string, dirIsSet: boolean): string {
  const base = "Claude Code-credentials";
  if (!dirIsSet) return base;
  return `${base}-${createHash("sha256").update(claudeConfigDir).digest("hex").slice(0, 8)}`;
}

export function keychainAccount(env: Record<string, string | undefined> = process.env): string {
  if (env.USER) return env.USER;
  try {
    return userInfo().username;
  } catch {
    return "claude-code-user";
  }
}

/** The item's secret, or null when there is none. */
export function readKeychain(item: KeychainItem): string | null {
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    result = Bun.spawnSync([item.bin, "find-generic-password", "-a", item.account, "-w", "-s", item.service], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch {
    throw new IclaudeError(`Cannot run ${item.bin} to read the Keychain; set ICLAUDE_STORE=file to use the file.`, EXIT.invalid);
  }
  if (result.exitCode === NOT_FOUND) return null;
  if (result.exitCode !== 0) {
    throw new IclaudeError(
      `The Keychain item "${item.service}" could not be read (security exited ${result.exitCode}); unlock the Keychain and try again.`,
      EXIT.invalid,
    );
  }
  return (result.stdout?.toString() ?? "").replace(/\n$/, "");
}

/** Quotes an argument for `security -i`'s own command-line parser. */
const quote = (value: string): string => `"${value.replace(/(["\\])/g, "\\$1")}"`;

/**
 * Writes the secret as Claude Code does: through `security -i` on stdin, the
 * value hex-encoded with -X, so no secret appears in a process list.
 */
export function writeKeychain(item: KeychainItem, secret: string): void {
  const hex = Buffer.from(secret, "utf8").toString("hex");
  const command = `add-generic-password -U -a ${quote(item.account)} -s ${quote(item.service)} -X ${quote(hex)}\n`;
  let exitCode: number | null;
  try {
    exitCode = Bun.spawnSync([item.bin, "-i"], {
      stdin: Buffer.from(command),
      stdout: "ignore",
      stderr: "ignore",
    }).exitCode;
  } catch {
    exitCode = null;
  }
  if (exitCode !== 0) {
    throw new IclaudeError(
      `The Keychain item "${item.service}" could not be written; the previous credentials were left as they were.`,
      EXIT.refreshFailed,
    );
  }
}
