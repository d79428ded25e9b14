import { BACKENDS, type BackendName } from "../../schedule/index.ts";
import { oneFlag } from "../_shared.ts";

/** The flags that name one scheduler, the same for install, status and remove. */
export const backendArgs = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the path as shell writes it, shown literally
  systemd: { type: "boolean", description: "A systemd user timer (${XDG_CONFIG_HOME:-~/.config}/systemd/user/iclaude-refresh.{service,timer})" },
  launchd: { type: "boolean", description: "A launchd LaunchAgent (~/Library/LaunchAgents/dev.iclaude.refresh.plist)" },
  cron: { type: "boolean", description: "A marked line in your crontab (ICLAUDE_CRON_SCHEDULE replaces its five fields)" },
} as const;

/** The one backend a flag names; none: null. Two: a usage error. */
export const chosen = (args: Partial<Record<BackendName, boolean | undefined>>): BackendName | null => oneFlag(Object.keys(BACKENDS) as BackendName[], args);
