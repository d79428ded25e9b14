import { loadConfig } from "../base/config.ts";
import { formatDuration } from "../base/durations.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { REFRESH_ARGS } from "../edges/contract.ts";
import { BACKENDS, type BackendName, defaultBackend, lastRun } from "../schedule/index.ts";
import { command, withHelp } from "./_shared.ts";

const backendArgs = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the path as shell writes it, shown literally
  systemd: { type: "boolean", description: "A systemd user timer (${XDG_CONFIG_HOME:-~/.config}/systemd/user/iclaude-refresh.{service,timer})" },
  launchd: { type: "boolean", description: "A launchd LaunchAgent (~/Library/LaunchAgents/dev.iclaude.refresh.plist)" },
  cron: { type: "boolean", description: "A marked line in your crontab (ICLAUDE_CRON_SCHEDULE replaces its five fields)" },
} as const;

type Chosen = Partial<Record<BackendName, boolean | undefined>>;

/** The one backend a flag names; none: null. Two: a usage error. */
function chosen(args: Chosen): BackendName | null {
  const names = (Object.keys(BACKENDS) as BackendName[]).filter((name) => args[name] === true);
  if (names.length > 1) throw new IclaudeError(`Choose one of --systemd, --launchd, --cron, not ${names.map((n) => `--${n}`).join(" and ")}.`, EXIT.usage);
  return names[0] ?? null;
}

const say = (lines: string[]): void => {
  for (const line of lines) process.stdout.write(`${line}\n`);
};

const install = command({
  meta: {
    name: "install",
    description: `Run \`iclaude ${REFRESH_ARGS.join(" ")}\` hourly from the OS scheduler (default: systemd on Linux, launchd on macOS, else cron)`,
  },
  args: backendArgs,
  run({ args }) {
    const name = chosen(args) ?? defaultBackend();
    // The binary's own absolute path, as the git hooks do: the timer runs this very build.
    say(BACKENDS[name].install(process.execPath, process.env));
    return EXIT.ok;
  },
});

const remove = command({
  meta: { name: "remove", description: "Take out what `schedule install` put in (without a flag: from every scheduler)" },
  args: backendArgs,
  run({ args }) {
    const name = chosen(args);
    const lines = (name ? [BACKENDS[name]] : Object.values(BACKENDS)).flatMap((backend) => backend.remove(process.env));
    say(lines.length > 0 ? lines : ["no schedule of iclaude's was installed"]);
    return EXIT.ok;
  },
});

const status = command({
  meta: { name: "status", description: "Which scheduler runs iclaude, when it last ran and what it did" },
  args: backendArgs,
  run({ args }) {
    const name = chosen(args);
    const config = loadConfig();
    const now = Date.now();
    let any = false;
    for (const backend of name ? [BACKENDS[name]] : Object.values(BACKENDS)) {
      const where = backend.installed(process.env);
      if (!where) continue;
      any = true;
      say([`${backend.name}: installed (${where.where})${where.state ? ` — ${where.state}` : ""}`]);
      const run = lastRun(config, backend.name);
      if (!run) say(["  has not run yet (it logs to the state log when it does)"]);
      else say([`  last ran ${run.at} (${formatDuration((now - Date.parse(run.at)) / 1000)} ago):`, ...run.lines.map((line) => `    ${line}`)]);
    }
    if (!any) say([`no schedule installed${name ? ` for ${name}` : ""}; \`iclaude schedule install\` adds one (here: ${defaultBackend()})`]);
    return EXIT.ok;
  },
});

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
