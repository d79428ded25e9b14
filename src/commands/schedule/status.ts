import { loadConfig } from "../../base/config.ts";
import { formatDuration } from "../../base/durations.ts";
import { EXIT } from "../../base/errors.ts";
import { showText } from "../../base/show.ts";
import { BACKENDS, defaultBackend, lastRun } from "../../schedule/index.ts";
import { outLines } from "../../ui/out.ts";
import { command } from "../_shared.ts";
import { backendArgs, chosen } from "./_shared.ts";

export default command({
  meta: { name: "status", description: "Which scheduler runs iclaude, when it last ran and what it did" },
  args: backendArgs,
  async run({ args }) {
    const name = chosen(args);
    const config = loadConfig();
    const now = Date.now();
    let any = false;
    for (const backend of name ? [BACKENDS[name]] : Object.values(BACKENDS)) {
      const where = backend.installed(process.env);
      if (!where) continue;
      any = true;
      await outLines([`${backend.name}: installed (${where.where})${where.state ? ` — ${where.state}` : ""}`]);
      const run = lastRun(config, backend.name, now);
      if (!run) await outLines(["  has not run yet (it logs to the state log when it does)"]);
      else
        await outLines([
          `  last ran ${new Date(run.at).toISOString()} (${formatDuration((now - run.at) / 1000)} ago):`,
          ...run.profiles.map((p) => `    ${showText(p.dir)}: ${showText(p.line)}`),
        ]);
    }
    if (!any) await outLines([`no schedule installed${name ? ` for ${name}` : ""}; \`iclaude schedule install\` adds one (here: ${defaultBackend()})`]);
    return EXIT.ok;
  },
});
