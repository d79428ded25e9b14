import { EXIT } from "../base/errors.ts";
import { maskSecrets } from "../base/secrets.ts";
import { showText } from "../base/show.ts";
import { printJson } from "../ui/json.ts";
import { outLines } from "../ui/out.ts";
import { command, withHelp } from "./_shared.ts";

export default withHelp(
  command({
    meta: { name: "check", description: "Look over the set-up: claude, PATH, the shell, every login, locks, the timer, the broker, the git hooks" },
    args: {
      json: { type: "boolean", description: "Print a JSON array of {id, status, summary, fix} instead of lines" },
    },
    async run({ args }) {
      const { runChecks } = await import("../check/index.ts");
      const checks = (await runChecks()).map((c) => ({ ...c, summary: maskSecrets(c.summary), fix: c.fix === null ? null : maskSecrets(c.fix) }));
      if (args.json) await printJson(checks);
      else await outLines(checks.map((c) => `${c.status.padEnd(4)}  ${showText(c.summary)}${c.fix ? ` — ${showText(c.fix)}` : ""}`));
      return checks.some((c) => c.status === "fail") ? EXIT.blocked : EXIT.ok;
    },
  }),
  {
    examples: [
      ["iclaude check", "ok    claude 2.1.337 (/usr/local/bin/claude), within what iclaude was tested with …"],
      ["iclaude check --json | jq '.[] | select(.status != \"ok\")'", "what needs doing, for scripts"],
    ],
    env: ["ICLAUDE_CLAUDE_BIN", "ICLAUDE_BROKER", "ICLAUDE_SHELL_HOOK", "CLAUDE_CONFIG_DIR", "ICLAUDE_STATE_DIR"],
    exits: [
      ["0", "nothing failed (warnings may be there)"],
      ["1", "at least one check failed; its line says how to fix it"],
    ],
  },
);
