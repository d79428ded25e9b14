import { type Config, type ConfigFlags, loadConfig } from "../base/config.ts";
import { parseDuration } from "../base/durations.ts";
import { EXIT, IclaudeError, LOGIN_HINT, LOGIN_HINT_DECLINED } from "../base/errors.ts";
import { maskSecrets } from "../base/secrets.ts";
import { showText } from "../base/show.ts";
import { appendStateLog } from "../base/state.ts";
import { openToEveryone } from "../base/state-trust.ts";
import { isTerminal } from "../base/tty.ts";
import { assess } from "../credentials/assessment.ts";
import { configFor, type Profile } from "../credentials/profiles.ts";
import { quoteAnyShell } from "../edges/quote.ts";
import { type ProfileRefresh, refreshAllProfiles, worstExitCode } from "../refresh/all.ts";
import { type RefreshOptions, type RefreshResult, refreshIfDue } from "../refresh/engine.ts";
import { declinedRecently } from "../refresh/memory.ts";
import type { BackendName } from "../schedule/common.ts";
import { recordRun } from "../schedule/last-run.ts";
import { printJson, statusJson } from "../ui/json.ts";
import { log, quietLogs, silentLogs } from "../ui/log.ts";
import { notifyOnce } from "../ui/notify.ts";
import { outLines } from "../ui/out.ts";
import { offerProfileOnce } from "../ui/profile-offer.ts";
import { grantProgress } from "../ui/progress.ts";
import { processTerminal } from "../ui/terminal.ts";
import { clocksPhrase, loginPhrase, noticeLine } from "../ui/words.ts";
import { clockArgs, command, outputArgs, REFRESH_CONFIG, REFRESH_ENV, REFRESH_EXITS, withHelp } from "./_shared.ts";

/** Every outcome of a refresh, as a person reads it; `refresh --json` prints the key (docs/json.md lists them, and a test holds it). */
export const OUTCOME_WORDS: Record<RefreshResult["outcome"], string> = {
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

/** How `refresh --all` reports: the state log in the background, else a line (or JSON object) per profile. */
interface AllOutput {
  background: boolean;
  json: boolean;
  quiet: boolean;
}

function runLine(run: ProfileRefresh, now: number): string {
  return run.result ? outcomeLine(run.result, now) : `failed (exit ${run.error.exitCode}) ${maskSecrets(run.error.message)}`;
}

function runJson(run: ProfileRefresh, now: number): Record<string, unknown> {
  const dir = run.profile.dir;
  if (run.error) return { dir, outcome: "failed", exitCode: run.error.exitCode, error: maskSecrets(run.error.message) };
  return { dir, outcome: run.result.outcome, exitCode: EXIT.ok, ...statusJson(run.result.after, now) };
}

/** Set by the units `schedule install` writes, so the state log (and `schedule status`) can tell their runs apart. */
const scheduler = (): BackendName | null => {
  const name = process.env.ICLAUDE_SCHEDULER;
  return name === "systemd" || name === "launchd" || name === "cron" ? name : null;
};

/** The notice a shell would show for this profile's login, posted to whoever can be reached: once a day per login. */
function notifyProfile(profile: Profile, flags: ConfigFlags, now: number): void {
  try {
    const config = configFor(profile, flags);
    notifyOnce(config, noticeLine(assess(config, process.env, now), now, profile.isDefault ? undefined : profile.dir));
  } catch {
    // A profile that cannot be judged now was reported by its run's line.
  }
}

/**
 * A profile dir every user can write to: anyone could put credentials of their own in place, and claude
 * would use them. Still refreshed (refusing would only let the login end), and said each run.
 */
function openDirWarning(profile: Profile): string | null {
  const mode = openToEveryone(profile.dir);
  if (mode === null) return null;
  return `${showText(profile.dir)} can be written by every user (mode ${mode}), who could replace the credentials in it; run chmod o-w ${quoteAnyShell(profile.dir)}.`;
}

async function refreshAll(config: Config, flags: ConfigFlags, options: RefreshOptions, out: AllOutput): Promise<number> {
  const runs = await refreshAllProfiles(flags, options);
  const now = Date.now();
  const by = scheduler();
  for (const run of runs) {
    const open = openDirWarning(run.profile);
    if (open && out.background) appendStateLog(config, `refresh ${run.profile.dir}: ${open}`);
    else if (open && !out.quiet) log.warn(open);
    const warning = run.result?.warning;
    if (warning && out.background) appendStateLog(config, `refresh ${run.profile.dir}: ${maskSecrets(warning)}`);
    else if (warning) log.warn(`${run.profile.dir}: ${warning}`);
    if (out.background) appendStateLog(config, `refresh${by ? ` (${by})` : ""} ${run.profile.dir}: ${runLine(run, now)}`);
    else if (!out.json && !out.quiet) await outLines([`${showText(run.profile.dir)}: ${showText(runLine(run, now))}`]);
  }
  if (out.background && by) {
    const profiles = runs.map((run) => ({ dir: run.profile.dir, line: runLine(run, now), failed: run.error !== undefined }));
    recordRun(config, by, { at: Date.now(), profiles });
  }
  if (out.json && !out.background) await printJson(runs.map((run) => runJson(run, now)));
  // A shell prompt shows the notice itself; only a scheduler's run has nobody watching.
  if (out.background && by) for (const run of runs) notifyProfile(run.profile, flags, now);
  return worstExitCode(runs);
}

export default withHelp(
  command({
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
      all: { type: "boolean", description: "Every profile (see `iclaude profiles`), one line each, never interactive; the exit code is the worst" },
      ...outputArgs,
      ...clockArgs,
    },
    async run({ args }) {
      const background = args.background === true;
      // The shell hook runs it detached: not even an error may reach a terminal. The state log has it.
      if (background) silentLogs();
      else if (args.quiet) quietLogs();
      const flags = { threshold: args.threshold, refreshMargin: args["refresh-margin"] };
      const config = loadConfig(flags);
      const lockWait = args["lock-wait"] ? parseDuration(args["lock-wait"], "--lock-wait") * 1000 : undefined;
      if (args.all) {
        const options = { force: args.force === true, overrideCooldown: args.force === true, lockWaitMs: lockWait };
        return refreshAll(config, flags, options, { background, json: args.json === true, quiet: args.quiet === true });
      }
      const interactive = args.interactive !== false && !background && !args.json && !args.quiet && isTerminal(0) && isTerminal(1);
      const progress = grantProgress({ stillWaiting: !background && !args.json && !args.quiet && isTerminal(2) });
      let result: RefreshResult;
      try {
        result = await refreshIfDue(config, {
          force: args.force === true,
          overrideCooldown: args.force === true,
          terminal: interactive ? processTerminal : undefined,
          lockWaitMs: lockWait,
          onGrant: progress.onGrant,
          flags,
        });
      } catch (error) {
        progress.stop();
        if (background && !(error instanceof IclaudeError)) appendStateLog(config, "refresh: failed unexpectedly; run `iclaude refresh` to see why");
        if (error instanceof IclaudeError) {
          if (background) appendStateLog(config, `refresh: failed (exit ${error.exitCode}) ${maskSecrets(error.message)}`);
          if (args.json) await printJson({ outcome: "failed", exitCode: error.exitCode, error: maskSecrets(error.message) });
        }
        throw error;
      }
      progress.stop();
      log.debug(`refresh: ${result.before.status} (${result.before.source}) → ${result.outcome}, now ${result.after.status} (${result.after.source})`);
      const now = Date.now();
      if (result.warning) {
        if (background) appendStateLog(config, `refresh: ${maskSecrets(result.warning)}`);
        else log.warn(result.warning);
      }
      if (background) appendStateLog(config, `refresh: ${outcomeLine(result, now)}`);
      else if (args.json) await printJson({ outcome: result.outcome, ...statusJson(result.after, now) });
      else if (!args.quiet) await outLines([outcomeLine(result, now)]);
      if (result.after.status === "login-expiring")
        log.warn(`The Claude ${loginPhrase(result.after, now)}; ${declinedRecently(config) ? LOGIN_HINT_DECLINED : LOGIN_HINT}.`);
      if (interactive) await offerProfileOnce(config, processTerminal);
      return EXIT.ok;
    },
  }),
  {
    examples: [
      ["iclaude refresh", "refreshed — access token valid 8h, login ends in 23 days"],
      ["iclaude refresh --force", "now, even if not due"],
      ["iclaude refresh --json --no-interactive", "for scripts: one JSON object, never a question"],
    ],
    env: REFRESH_ENV,
    config: REFRESH_CONFIG,
    exits: [["0", "refreshed, refreshed elsewhere, or nothing due"], ...REFRESH_EXITS, ["2", "bad usage or configuration"]],
  },
);
