import { type ConfigFlags, loadConfig } from "../base/config.ts";
import { EXIT } from "../base/errors.ts";
import { showText } from "../base/show.ts";
import { stateTrustError } from "../base/state-trust.ts";
import { assess } from "../credentials/assessment.ts";
import { STATUS_EXIT } from "../credentials/clocks.ts";
import { configFor, profilesToVisit } from "../credentials/profiles.ts";
import { scheduleAfterRun } from "../refresh/next-check.ts";
import { printJson, statusJson } from "../ui/json.ts";
import { log } from "../ui/log.ts";
import { out } from "../ui/out.ts";
import { actionLine, statusLine } from "../ui/words.ts";
import { CLOCK_CONFIG, CLOCK_ENV, clockArgs, command, outputArgs, withHelp } from "./_shared.ts";

/** `status --all`: a line (or an object) per profile, each naming its dir; the most urgent exit code. */
async function statusAll(flags: ConfigFlags, json: boolean, quiet: boolean): Promise<number> {
  const now = Date.now();
  const looked = profilesToVisit().map((profile) => ({ dir: profile.dir, a: assess(configFor(profile, flags), process.env, now) }));
  if (json) await printJson(looked.map(({ dir, a }) => ({ dir, ...statusJson(a, now) })));
  else if (!quiet) {
    const lines = looked.map(({ dir, a }) => {
      const action = actionLine(a);
      return `${showText(dir)}: ${showText(statusLine(a, now))}\n${action ? `  ${showText(action)}\n` : ""}`;
    });
    await out(lines.join(""));
  }
  return Math.max(...looked.map(({ a }) => STATUS_EXIT[a.status]));
}

export default withHelp(
  command({
    meta: { name: "status", description: "Say whether claude's login works, and when it ends" },
    args: {
      all: { type: "boolean", description: "Every profile (see `iclaude profiles`), one line each; the exit code is the most urgent" },
      ...outputArgs,
      ...clockArgs,
    },
    async run({ args }) {
      const flags = { threshold: args.threshold, refreshMargin: args["refresh-margin"] };
      const config = loadConfig(flags);
      if (args.all) {
        // A look that finds things well takes back a notice that no longer holds (and writes one that does).
        scheduleAfterRun(config, flags);
        return statusAll(flags, args.json === true, args.quiet === true);
      }
      const now = Date.now();
      const a = assess(config, process.env, now);
      scheduleAfterRun(config, flags, a);
      const distrusted = stateTrustError(config, "a long-lived token there is not used");
      if (distrusted && !args.quiet) log.warn(distrusted.message);
      if (args.json) await printJson(statusJson(a, now));
      else if (!args.quiet) {
        const action = actionLine(a);
        await out(`${statusLine(a, now)}\n${action ? `${action}\n` : ""}`);
      }
      return STATUS_EXIT[a.status];
    },
  }),
  {
    examples: [
      ["iclaude status", "valid — access token 5h 12m left, login ends in 23 days (max, file)"],
      ["iclaude status --json | jq -r .status", "one JSON object, for scripts"],
      ["iclaude status --quiet || iclaude refresh", "the exit code alone"],
    ],
    env: CLOCK_ENV,
    config: CLOCK_CONFIG,
    exits: [
      [String(STATUS_EXIT.valid), "valid"],
      [String(STATUS_EXIT["refresh-due"]), "refresh-due: the access token needs refreshing"],
      [String(STATUS_EXIT["login-expiring"]), "login-expiring: the login ends within the threshold"],
      [String(STATUS_EXIT.expired), "expired: the login has ended"],
      [String(STATUS_EXIT.missing), "missing: no Claude login stored"],
      [String(STATUS_EXIT.invalid), "invalid: the stored credentials cannot be read"],
      [String(EXIT.usage), "bad usage or configuration"],
    ],
  },
);
