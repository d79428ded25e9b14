import { defineCommand } from "citty";
import { loadConfig } from "../core/config.ts";
import { assess, type Assessment } from "../core/current.ts";
import { EXIT, IclaudeError } from "../core/errors.ts";
import { refreshIfDue } from "../core/refresh.ts";
import { scheduleAfterRun } from "../core/schedule.ts";
import { PRINTABLE_TOKEN } from "../core/secrets.ts";
import { log } from "../ui/log.ts";

/** A token claude could still send right now. */
const usable = (a: Assessment, now: number): a is Assessment & { accessToken: string } =>
  a.accessToken !== null && ["valid", "refresh-due", "login-expiring"].includes(a.status) && (a.expiresAt === null || a.expiresAt > now);

export default defineCommand({
  meta: {
    name: "token",
    description: "Print the access token claude would use, refreshing first if due (the only command that prints a token)",
  },
  async run() {
    const config = loadConfig();
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
    let current: Assessment;
    try {
      const result = await refreshIfDue(config, { interactive });
      if (result.warning) log.warn(result.warning);
      current = result.after;
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
    // A token is printable ASCII; anything else (escape sequences, newlines) would act on the terminal or the script reading it.
    if (!PRINTABLE_TOKEN.test(current.accessToken)) {
      throw new IclaudeError("The stored access token holds characters no token has, so it is not printed; run `iclaude refresh --force`, or log in with `claude /login`.", EXIT.loginRequired);
    }
    process.stdout.write(`${current.accessToken}\n`);
    return EXIT.ok;
  },
});
