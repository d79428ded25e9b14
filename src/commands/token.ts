import { defineCommand } from "citty";
import { loadConfig } from "../core/config.ts";
import { assess, isUsable as usable, type Assessment } from "../core/current.ts";
import { EXIT, IclaudeError } from "../core/errors.ts";
import { refreshIfDue } from "../core/refresh.ts";
import { scheduleAfterRun } from "../core/schedule.ts";
import { log } from "../ui/log.ts";

export default defineCommand({
  meta: {
    name: "token",
    description: "Print the access token claude would use, refreshing first if due (the only command that prints a token)",
  },
  args: {
    broker: { type: "string", valueHint: "PATH", description: "Inside a container: ask the broker on this socket instead (env ICLAUDE_BROKER)" },
  },
  async run({ args }) {
    const { brokerPath, brokerProfile, requestToken } = await import("../broker/client.ts");
    const socket = brokerPath(args.broker);
    if (socket) {
      process.stdout.write(`${(await requestToken(socket, brokerProfile(undefined))).accessToken}\n`);
      return EXIT.ok;
    }
    const config = loadConfig();
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
    let current: Assessment;
    try {
      current = (await refreshIfDue(config, { interactive })).after;
    } catch (error) {
      // A failed refresh does not take away a token that still works: scripts get it, with a warning.
      current = assess(config);
      if (!(error instanceof IclaudeError) || !usable(current, Date.now())) throw error;
      log.warn(error.message);
    } finally {
      scheduleAfterRun(config);
    }
    if (!usable(current, Date.now())) {
      throw new IclaudeError("There is no usable Claude access token; run `iclaude refresh` at a terminal, or log in with `claude /login`.", EXIT.loginRequired);
    }
    process.stdout.write(`${current.accessToken}\n`);
    return EXIT.ok;
  },
});
