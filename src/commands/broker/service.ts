import { EXIT } from "../../base/errors.ts";
import { defaultService, SERVICES, type ServiceName } from "../../schedule/broker-service.ts";
import { outLines } from "../../ui/out.ts";
import { command, oneFlag } from "../_shared.ts";

const serviceArgs = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the path as shell writes it, shown literally
  systemd: { type: "boolean", description: "A systemd user service (${XDG_CONFIG_HOME:-~/.config}/systemd/user/iclaude-broker.service)" },
  launchd: { type: "boolean", description: "A launchd LaunchAgent (~/Library/LaunchAgents/dev.iclaude.broker.plist)" },
} as const;

/** The one service manager a flag names; none: null. Both: a usage error. */
const chosen = (args: Partial<Record<ServiceName, boolean | undefined>>): ServiceName | null => oneFlag(Object.keys(SERVICES) as ServiceName[], args);

export const install = command({
  meta: { name: "install", description: "Run `iclaude broker serve` as a user service the OS keeps running (default: systemd on Linux, launchd on macOS)" },
  args: serviceArgs,
  async run({ args }) {
    // The binary's own absolute path, as the schedule and the git hooks use: the service runs this very build.
    await outLines(SERVICES[chosen(args) ?? defaultService()].install(process.execPath, process.env));
    return EXIT.ok;
  },
});

export const remove = command({
  meta: { name: "remove", description: "Stop the broker service and take out what `broker install` wrote (without a flag: from both)" },
  args: serviceArgs,
  async run({ args }) {
    const name = chosen(args);
    const lines = (name ? [SERVICES[name]] : Object.values(SERVICES)).flatMap((service) => service.remove(process.env));
    await outLines(lines.length > 0 ? lines : ["no broker service of iclaude's was installed"]);
    return EXIT.ok;
  },
});

export const status = command({
  meta: { name: "status", description: "Whether the broker service is installed, where, and whether it runs" },
  args: serviceArgs,
  async run({ args }) {
    const name = chosen(args);
    const found = (name ? [SERVICES[name]] : Object.values(SERVICES)).flatMap((service) => {
      const where = service.installed(process.env);
      return where ? [`${service.name}: installed (${where.where})${where.state ? ` — ${where.state}` : ""}`] : [];
    });
    await outLines(
      found.length > 0 ? found : [`no broker service installed${name ? ` for ${name}` : ""}; \`iclaude broker install\` adds one (here: ${defaultService()})`],
    );
    return EXIT.ok;
  },
});
