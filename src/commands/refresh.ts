import { defineCommand } from "citty";
import { loadConfig } from "../core/config.ts";
import { parseDuration } from "../core/durations.ts";
import { EXIT, IclaudeError, LOGIN_HINT } from "../core/errors.ts";
import { refreshIfDue, type RefreshResult } from "../core/refresh.ts";
import { scheduleAfterRun } from "../core/schedule.ts";
import { appendStateLog } from "../core/state.ts";
import { maskSecrets } from "../core/secrets.ts";
import { log, quietLogs } from "../ui/log.ts";
import { grantProgress } from "../ui/progress.ts";
import { clocksPhrase, loginPhrase } from "../ui/words.ts";
import { clockArgs, outputArgs, printJson, REFRESH_CONFIG, REFRESH_ENV, REFRESH_EXITS, withHelp } from "./_shared.ts";
import { statusJson } from "./status.ts";

const OUTCOME_WORDS: Record<RefreshResult["outcome"], string> = {
  refreshed: "refreshed",
  "not-due": "nothing due",
  "refreshed-elsewhere": "already refreshed by another process",
  "long-lived-stored": "stored the long-lived token",
  declined: "declined",
};

/** The one line a person reads: what happened, then both clocks. */
export function outcomeLine(r: RefreshResult, now: number): string {
  return `${OUTCOME_WORDS[r.outcome]} — ${clocksPhrase(r.after, now)}`;
}

export default withHelp(defineCommand({
  meta: { name: "refresh", description: "Refresh the Claude login if due (also: iclaude --refresh-token)" },
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
    if (background || args.quiet) quietLogs();
    const config = loadConfig({ threshold: args.threshold, refreshMargin: args["refresh-margin"] });
    const lockWait = args["lock-wait"] ? parseDuration(args["lock-wait"], "--lock-wait") * 1000 : undefined;
    const interactive =
      args.interactive !== false && !background && !args.json && !args.quiet && process.stdin.isTTY === true && process.stdout.isTTY === true;
    const progress = grantProgress({ stillWaiting: !background && !args.json && !args.quiet && process.stderr.isTTY === true });
    let result: RefreshResult;
    try {
      result = await refreshIfDue(config, { force: args.force === true, overrideCooldown: args.force === true, interactive, lockWaitMs: lockWait, onGrant: progress.onGrant });
    } catch (error) {
      progress.stop();
      scheduleAfterRun(config);
      if (error instanceof IclaudeError) {
        if (background) appendStateLog(config, `refresh: failed (exit ${error.exitCode}) ${maskSecrets(error.message)}`);
        if (args.json) printJson({ outcome: "failed", exitCode: error.exitCode, error: maskSecrets(error.message) });
      }
      throw error;
    }
    progress.stop();
    scheduleAfterRun(config);
    log.debug(`refresh: ${result.before.status} (${result.before.store}) → ${result.outcome}, now ${result.after.status} (${result.after.store})`);
    const now = Date.now();
    if (background) appendStateLog(config, `refresh: ${outcomeLine(result, now)}`);
    else if (args.json) printJson({ outcome: result.outcome, ...statusJson(result.after, now) });
    else if (!args.quiet) process.stdout.write(`${outcomeLine(result, now)}\n`);
    if (result.after.status === "login-expiring") log.warn(`The Claude ${loginPhrase(result.after, now)}; ${LOGIN_HINT}.`);
    return EXIT.ok;
  },
}), {
  examples: [
    ["iclaude refresh", "refreshed — access token valid 8h, login ends in 23 days"],
    ["iclaude refresh --force", "now, even if not due"],
    ["iclaude refresh --json --no-interactive", "for scripts: one JSON object, never a question"],
  ],
  env: REFRESH_ENV,
  config: REFRESH_CONFIG,
  exits: [["0", "refreshed, refreshed elsewhere, or nothing due"], ...REFRESH_EXITS, ["2", "bad usage or configuration"]],
});
