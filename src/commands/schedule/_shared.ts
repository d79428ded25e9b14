import { EXIT, IclaudeError } from "../../base/errors.ts";
import { BACKENDS, type BackendName } from "../../schedule/index.ts";

/** The flags that name one scheduler, the same for install, status and remove. */
export const backendArgs = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the path as shell writes it, shown literally
  systemd: { type: "boolean", description: "A systemd user timer (${XDG_CONFIG_HOME:-~/.config}/systemd/user/iclaude-refresh.{service,timer})" },
  launchd: { type: "boolean", description: "A launchd LaunchAgent (~/Library/LaunchAgents/dev.iclaude.refresh.plist)" },
  cron: { type: "boolean", description: "A marked line in your crontab (ICLAUDE_CRON_SCHEDULE replaces its five fields)" },
} as const;

type Chosen = Partial<Record<BackendName, boolean | undefined>>;

/** The one backend a flag names; none: null. Two: a usage error. */
export function chosen(args: Chosen): BackendName | null {
  const names = (Object.keys(BACKENDS) as BackendName[]).filter((name) => args[name] === true);
  if (names.length > 1) throw new IclaudeError(`Choose one of --systemd, --launchd, --cron, not ${names.map((n) => `--${n}`).join(" and ")}.`, EXIT.usage);
  return names[0] ?? null;
}

export const say = (lines: string[]): void => {
  for (const line of lines) process.stdout.write(`${line}\n`);
};
