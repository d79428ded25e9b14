import { EXIT } from "../../base/errors.ts";
import { REFRESH_ARGS } from "../../edges/contract.ts";
import { BACKENDS, defaultBackend } from "../../schedule/index.ts";
import { outLines } from "../../ui/out.ts";
import { command } from "../_shared.ts";
import { backendArgs, chosen } from "./_shared.ts";

export default command({
  meta: {
    name: "install",
    description: `Run \`iclaude ${REFRESH_ARGS.join(" ")}\` hourly from the OS scheduler (default: systemd on Linux, launchd on macOS, else cron)`,
  },
  args: backendArgs,
  async run({ args }) {
    const name = chosen(args) ?? defaultBackend();
    // The binary's own absolute path, as the git hooks do: the timer runs this very build.
    await outLines(BACKENDS[name].install(process.execPath, process.env));
    return EXIT.ok;
  },
});
