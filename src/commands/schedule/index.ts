import { command, withHelp } from "../_shared.ts";
import install from "./install.ts";
import remove from "./remove.ts";
import status from "./status.ts";

export default withHelp(
  command({
    meta: { name: "schedule", description: "Keep every profile's login alive with no shell open: an hourly OS timer" },
    subCommands: { install, status, remove },
  }),
  {
    otherWords: { uninstall: "iclaude schedule remove" },
    examples: [
      ["iclaude schedule install", "systemd on Linux, launchd on macOS, else cron"],
      ["iclaude schedule install --cron", "a marked line in your crontab"],
      ["iclaude schedule status", "installed where, last run, what it did"],
      ["iclaude schedule remove", "take it out of every scheduler"],
    ],
    env: ["ICLAUDE_CRON_SCHEDULE", "ICLAUDE_NOTIFY_COMMAND", "ICLAUDE_STATE_DIR"],
    config: ["notify.command"],
    exits: [
      ["0", "done"],
      ["2", "bad usage, or the scheduler could not be used (the sentence says why)"],
    ],
  },
);
