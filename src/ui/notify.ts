import type { Config } from "../base/config.ts";
import { messageOf } from "../base/errors.ts";
import { writePrivateFile } from "../base/fs.ts";
import { maskSecrets } from "../base/secrets.ts";
import { appendStateLog, pastStamp, readState, statePath } from "../base/state.ts";
import { NOTICE } from "../edges/contract.ts";

const DAY_MS = NOTICE.everyS * 1000;

/** One way of reaching a person: null when it worked, else why not, for the state log. */
interface Notifier {
  name: string;
  post(line: string): string | null;
}

const TIMEOUT_MS = 10_000;

function ran(argv: string[], options: { stdin?: string; env?: Record<string, string | undefined> } = {}): string | null {
  try {
    const run = Bun.spawnSync(argv, {
      env: options.env ?? process.env,
      stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
      stdout: "ignore",
      stderr: "pipe",
      timeout: TIMEOUT_MS,
    });
    if (run.exitCode === 0) return null;
    const said = run.stderr.toString().trim().split("\n")[0];
    return run.exitCode === null ? `killed after ${TIMEOUT_MS / 1000} s` : `exit ${run.exitCode}${said ? `: ${said}` : ""}`;
  } catch (error) {
    return messageOf(error);
  }
}

/** macOS Notification Centre; the line goes in as an argument, so nothing in it needs AppleScript quoting. */
const notificationCentre: Notifier = {
  name: "Notification Centre",
  post: (line) => ran(["/usr/bin/osascript", "-e", "on run argv", "-e", 'display notification (item 1 of argv) with title "iclaude"', "-e", "end run", line]),
};

/**
 * The desktop's notification service (org.freedesktop.Notifications) over the session bus. gdbus,
 * as dbus-send cannot send Notify's a{sv}; every argument is a typed GVariant literal, and a JSON
 * string is a GVariant string literal, so the line needs no other quoting.
 */
const desktop: Notifier = {
  name: "D-Bus notification",
  post(line) {
    const gdbus = Bun.which("gdbus");
    if (!gdbus) return "gdbus is not installed (Debian: libglib2.0-bin)";
    const call = [
      "call",
      "--session",
      "--dest",
      "org.freedesktop.Notifications",
      "--object-path",
      "/org/freedesktop/Notifications",
      "--method",
      "org.freedesktop.Notifications.Notify",
    ];
    return ran([gdbus, ...call, '"iclaude"', "uint32 0", '""', '"iclaude"', JSON.stringify(line), "@as []", "@a{sv} {}", "int32 -1"]);
  },
};

/** The user's own command (ICLAUDE_NOTIFY_COMMAND, [notify] command): ntfy, mail, a webhook. */
const userCommand = (command: string): Notifier => ({
  name: "ICLAUDE_NOTIFY_COMMAND",
  post: (line) => ran(["/bin/sh", "-c", command], { stdin: `${line}\n`, env: { ...process.env, ICLAUDE_NOTICE: line } }),
});

/** Where a notice can reach a person on this machine. */
export function notifiers(config: Pick<Config, "notifyCommand">, platform = process.platform, env = process.env): Notifier[] {
  const found: Notifier[] = [];
  if (platform === "darwin") found.push(notificationCentre);
  if (platform === "linux" && env.DBUS_SESSION_BUS_ADDRESS) found.push(desktop);
  if (config.notifyCommand) found.push(userCommand(config.notifyCommand));
  return found;
}

/**
 * Run by a scheduler, nobody sees a terminal: the notice a shell would show for one login is
 * posted, masked, by every notifier there is, at most once a day per login (each profile keeps its
 * own stamp). A notifier that fails costs a line in the state log, never the run.
 */
export function notifyOnce(
  config: Pick<Config, "stateDir" | "profileSuffix" | "notifyCommand">,
  notice: string | null,
  now = Date.now(),
  posts: Notifier[] = notifiers(config),
): void {
  const line = notice?.trim().replace(/^iclaude: /, "");
  if (!line || posts.length === 0) return;
  const stamp = `notified${config.profileSuffix}`;
  const last = pastStamp(Number(readState(config, stamp)), now);
  if (last !== null && now - last < DAY_MS) return;
  try {
    writePrivateFile(statePath(config, stamp), `${now}\n`);
  } catch {
    // Without the stamp a notice could come every hour: none is better.
    return;
  }
  const masked = maskSecrets(line);
  for (const notifier of posts) {
    const failed = notifier.post(masked);
    if (failed) appendStateLog(config, `notify: ${notifier.name} failed (${maskSecrets(failed)}); the notice stays for the next shell`);
  }
}
