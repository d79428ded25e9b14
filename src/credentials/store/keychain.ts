import { EXIT, IclaudeError } from "../../base/errors.ts";

/** `security` exits 44 when the item does not exist. */
const NOT_FOUND = 44;
/** `security` exits 36 ("User interaction is not allowed") when the Keychain is locked, as over SSH. */
const LOCKED = 36;
/** The longest command line `security -i` takes (Claude Code's own limit). */
export const INTERACTIVE_LINE_MAX = 4032;
/**
 * How long `security` may take before it is killed. Claude Code gives its reads 5 s; a write after a
 * grant gets the same bound as a read, so a hung `security` can never hold a prompt or a launch.
 */
const SECURITY_TIMEOUT_MS = 10_000;

/** The Keychain is locked: a person must unlock it; nothing iclaude does can. */
export class KeychainLockedError extends IclaudeError {
  constructor(service: string, done: string, exitCode: number) {
    super(`The macOS Keychain holding "${service}" is locked (as in an SSH session); run \`security unlock-keychain\` and try again — ${done}.`, exitCode);
  }
}

const isLocked = (exitCode: number | null, stderr: string): boolean => exitCode === LOCKED || /User interaction is not allowed/i.test(stderr);

export interface KeychainItem {
  bin: string;
  service: string;
  account: string;
  /** ms before `security` is killed; SECURITY_TIMEOUT_MS unless a test shortens it. */
  timeoutMs?: number;
}

const timeoutOf = (item: KeychainItem): number => item.timeoutMs ?? SECURITY_TIMEOUT_MS;
const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/** The item's secret, or null when there is none. */
export function readKeychain(item: KeychainItem): string | null {
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    result = Bun.spawnSync([item.bin, "find-generic-password", "-a", item.account, "-w", "-s", item.service], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: timeoutOf(item),
      killSignal: "SIGKILL",
    });
  } catch {
    throw new IclaudeError(`Cannot run ${item.bin} to read the Keychain; set ICLAUDE_STORE=file to use the file.`, EXIT.invalid);
  }
  if (result.exitedDueToTimeout) {
    throw new IclaudeError(
      `${item.bin} did not answer within ${seconds(timeoutOf(item))} reading the Keychain item "${item.service}"; nothing was changed — unlock the Keychain (\`security unlock-keychain\`) or set ICLAUDE_STORE=file.`,
      EXIT.invalid,
    );
  }
  if (result.exitCode === NOT_FOUND) return null;
  if (isLocked(result.exitCode, result.stderr?.toString() ?? "")) throw new KeychainLockedError(item.service, "nothing was changed", EXIT.invalid);
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

/** The line `security -i` is given to store `secret`. */
const writeCommand = (item: KeychainItem, secret: string): string =>
  `add-generic-password -U -a ${quote(item.account)} -s ${quote(item.service)} -X ${quote(Buffer.from(secret, "utf8").toString("hex"))}\n`;

/**
 * Fails, with nothing sent, when a value of `size` characters could not be
 * written: past `security -i`'s line limit Claude Code falls back to passing
 * the secret in argv, which iclaude refuses to do.
 */
export function checkKeychainWritable(item: KeychainItem, size: number): void {
  if (writeCommand(item, "x".repeat(size)).length > INTERACTIVE_LINE_MAX) {
    throw new IclaudeError(
      `The credentials in the Keychain item "${item.service}" are too large for \`security -i\` (${INTERACTIVE_LINE_MAX} characters), and iclaude will not put them on a command line; nothing was sent — set ICLAUDE_STORE=file or let claude refresh itself.`,
      EXIT.refreshFailed,
    );
  }
}

/**
 * Writes the secret as Claude Code does: through `security -i` on stdin, the
 * value hex-encoded with -X, so no secret appears in a process list.
 */
export function writeKeychain(item: KeychainItem, secret: string): void {
  const command = writeCommand(item, secret);
  if (command.length > INTERACTIVE_LINE_MAX) checkKeychainWritable(item, secret.length);
  let exitCode: number | null;
  let stderr = "";
  let timedOut = false;
  try {
    const result = Bun.spawnSync([item.bin, "-i"], {
      stdin: Buffer.from(command),
      stdout: "ignore",
      stderr: "pipe",
      timeout: timeoutOf(item),
      killSignal: "SIGKILL",
    });
    exitCode = result.exitCode;
    stderr = result.stderr?.toString() ?? "";
    timedOut = result.exitedDueToTimeout === true;
  } catch {
    exitCode = null;
  }
  if (isLocked(exitCode, stderr)) throw new KeychainLockedError(item.service, "the previous credentials were left as they were", EXIT.refreshFailed);
  if (timedOut || exitCode !== 0) {
    const why = timedOut ? ` (${item.bin} did not answer within ${seconds(timeoutOf(item))})` : "";
    throw new IclaudeError(
      `The Keychain item "${item.service}" could not be written${why}; the previous credentials were left as they were.`,
      EXIT.refreshFailed,
    );
  }
}
