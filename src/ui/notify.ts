import type { Config } from "../base/config.ts";
import { writePrivateFile } from "../base/fs.ts";
import { pastStamp, readState, statePath } from "../base/state.ts";

const NOTIFIED = "notified";
const DAY_MS = 86_400_000;

type Post = (line: string) => void;

/** macOS Notification Centre; the line goes in as an argument, so nothing in it needs AppleScript quoting. */
const postWithOsascript: Post = (line) => {
  Bun.spawnSync(["/usr/bin/osascript", "-e", "on run argv", "-e", 'display notification (item 1 of argv) with title "iclaude"', "-e", "end run", line], {
    stdio: ["ignore", "ignore", "ignore"],
    timeout: 10_000,
  });
};

/**
 * Run by a scheduler, nobody sees a terminal: on macOS the notice the shell
 * hook would show is posted once as a notification, at most once a day.
 */
export function notifyOnce(config: Pick<Config, "stateDir">, notice: string | null, now = Date.now(), platform = process.platform, post: Post = postWithOsascript): void {
  const line = notice?.trim();
  if (!line || platform !== "darwin") return;
  const last = pastStamp(Number(readState(config, NOTIFIED)), now);
  if (last !== null && now - last < DAY_MS) return;
  try {
    writePrivateFile(statePath(config, NOTIFIED), `${now}\n`);
    post(line.replace(/^iclaude: /, ""));
  } catch {
    // A notification is a courtesy: the notice file is still there for the next shell.
  }
}
