import { defineCommand } from "citty";
import { loadConfig } from "../core/config.ts";
import { parseDuration } from "../core/durations.ts";
import { EXIT, IclaudeError, LOGIN_HINT } from "../core/errors.ts";
import { refreshIfDue, type RefreshResult } from "../core/refresh.ts";
import { scheduleAfterRun } from "../core/schedule.ts";
import { appendStateLog } from "../core/state.ts";
import { maskSecrets } from "../core/secrets.ts";
import { log, quietLogs, silentLogs } from "../ui/log.ts";
import { clocksPhrase, loginPhrase } from "../ui/words.ts";
import { clockArgs, outputArgs, printJson } from "./_shared.ts";
import { statusJson } from "./status.ts";

const OUTCOME_WORDS: Record<RefreshResult["outcome"], string> = {
  refreshed: "refreshed",
  restored: "put in place the new login a failed write had kept",
  "not-due": "nothing due",
  "refreshed-elsewhere": "already refreshed by another process",
  "long-lived-stored": "stored the long-lived token",
  declined: "declined",
};

/** The one line a person reads: what happened, then both clocks. */
export function outcomeLine(r: RefreshResult, now: number): string {
  return `${OUTCOME_WORDS[r.outcome]} — ${clocksPhrase(r.after, now)}`;
}

export default defineCommand({
  meta: {
    name: "refresh",
    description: "Refresh the Claude login if due (exit 0 done or nothing due, 20 log in again, 21 failed, 22 cooldown, 23 lock busy)",
  },
  args: {
    force: { type: "boolean", description: "Refresh the access token now, even if it is not due" },
    interactive: {
      type: "boolean",
      default: true,
      description: "At a terminal, offer `claude setup-token` when the login cannot be renewed",
      negativeDescription: "Never ask or run `claude setup-token`; fail with exit 20 instead",
    },
    background: {
      type: "boolean",
      description: "For the shell hook: quiet, never interactive, one line to the state log, writes next-check",
    },
    "lock-wait": { type: "string", valueHint: "30s", description: "How long to wait for Claude Code's refresh lock before exit 23" },
    ...outputArgs,
    ...clockArgs,
  },
  async run({ args }) {
    const background = args.background === true;
    // The shell hook runs it detached: not even an error may reach a terminal. The state log has it.
    if (background) silentLogs();
    else if (args.quiet) quietLogs();
    const config = loadConfig({ threshold: args.threshold, refreshMargin: args["refresh-margin"] });
    const lockWait = args["lock-wait"] ? parseDuration(args["lock-wait"], "--lock-wait") * 1000 : undefined;
    const interactive =
      args.interactive !== false && !background && !args.json && !args.quiet && process.stdin.isTTY === true && process.stdout.isTTY === true;
    let result: RefreshResult;
    try {
      result = await refreshIfDue(config, { force: args.force === true, overrideCooldown: args.force === true, interactive, lockWaitMs: lockWait });
    } catch (error) {
      scheduleAfterRun(config);
      if (background && !(error instanceof IclaudeError)) appendStateLog(config, "refresh: failed unexpectedly; run `iclaude refresh` to see why");
      if (error instanceof IclaudeError) {
        if (background) appendStateLog(config, `refresh: failed (exit ${error.exitCode}) ${maskSecrets(error.message)}`);
        if (args.json) printJson({ outcome: "failed", exitCode: error.exitCode, error: maskSecrets(error.message) });
      }
      throw error;
    }
    scheduleAfterRun(config);
    log.debug(`refresh: ${result.before.status} (${result.before.store}) → ${result.outcome}, now ${result.after.status} (${result.after.store})`);
    const now = Date.now();
    if (result.warning) {
      if (background) appendStateLog(config, `refresh: ${maskSecrets(result.warning)}`);
      else log.warn(result.warning);
    }
    if (background) appendStateLog(config, `refresh: ${outcomeLine(result, now)}`);
    else if (args.json) printJson({ outcome: result.outcome, ...statusJson(result.after, now) });
    else if (!args.quiet) process.stdout.write(`${outcomeLine(result, now)}\n`);
    if (result.after.status === "login-expiring") log.warn(`The Claude ${loginPhrase(result.after, now)}; ${LOGIN_HINT}.`);
    return EXIT.ok;
  },
});
