import { fstatSync } from "node:fs";
import { type Config, loadConfig } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { stateTrustError } from "../base/state-trust.ts";
import { isTerminal } from "../base/tty.ts";
import { type Assessment, assess } from "../credentials/assessment.ts";
import { refreshIfDue } from "../refresh/engine.ts";
import { cooldownNoticeDue, launchOfferDue, rememberLaunchOffer } from "../refresh/memory.ts";
import { log } from "../ui/log.ts";
import { offerProfileOnce } from "../ui/profile-offer.ts";
import { grantProgress } from "../ui/progress.ts";
import type { Terminal } from "../ui/terminal.ts";
import { LAUNCH_WORDS } from "../ui/words.ts";
import { isPrint, startsSession, streamsInput } from "./args.ts";
import { checkNotLooping, DEPTH_ENV, findClaude, LAUNCHER_ENV, launchDepth } from "./find.ts";
import { spawnClaude } from "./spawn.ts";
import { StdinTape } from "./stdin-tape.ts";
import { StdoutGate } from "./stdout-gate.ts";

/** iclaude's own stdio, handed in by the command: the launcher never reaches for process.stdin or stdout. */
export interface LaunchIo {
  /** Where claude's gated stdout is written. */
  writeStdout: (chunk: Uint8Array) => Promise<void>;
  /** What claude's stdin tape reads. */
  stdin: () => ReadableStream<Uint8Array>;
  /** The person, for the offers made at a terminal. */
  terminal: Terminal;
}

/** A launch waits this little for the lock and the endpoint: a slow refresh must not hold claude back. */
const BEFORE_LAUNCH = { lockWaitMs: 3_000, deadlineMs: 5_000 };
/** A run already failed for its login; a little more patience buys it its answer. */
const AFTER_REFUSAL = { lockWaitMs: 10_000, deadlineMs: 15_000 };

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function safeAssess(config: Config): Assessment | null {
  try {
    return assess(config);
  } catch (error) {
    log.warn(LAUNCH_WORDS.cannotJudge(reason(error)));
    return null;
  }
}

/** A person must act on this login: said at a terminal, where the long-lived fallback may also be offered. */
const personNeeded = (a: Assessment): boolean => a.status === "login-expiring" || a.status === "expired";

/**
 * Before claude starts: refresh what is due, briefly; at a terminal, say when
 * a person must act and offer the long-lived fallback at most once a day.
 * The engine reads the credentials and decides; this only words it.
 * Never throws: a launch is never lost to iclaude.
 */
async function prepare(config: Config, atTerminal: boolean, terminal: Terminal): Promise<Assessment | null> {
  const distrusted = stateTrustError(config, LAUNCH_WORDS.distrusted);
  if (distrusted) log.warn(distrusted.message);
  const now = Date.now();
  let first: Assessment | null = null;
  let offered = false;
  const offerTo = (before: Assessment): Terminal | undefined => {
    first = before;
    offered = atTerminal && personNeeded(before) && launchOfferDue(config, now);
    if (!offered) return undefined;
    rememberLaunchOffer(config, now);
    return terminal;
  };
  const progress = grantProgress({ stillWaiting: isTerminal(2) });
  try {
    const result = await refreshIfDue(config, { ...BEFORE_LAUNCH, offerTo, keepUnrenewable: true, onGrant: progress.onGrant });
    if (result.warning) log.warn(result.warning);
    if (result.outcome === "not-due" && !offered && atTerminal && personNeeded(result.before)) log.warn(LAUNCH_WORDS.personNeeded(result.before, now));
    return result.after;
  } catch (error) {
    if (!first) {
      log.warn(LAUNCH_WORDS.cannotJudge(reason(error)));
      return null;
    }
    // A failed refresh is told once: the launches inside its cooldown that follow stay quiet.
    const failed = error instanceof IclaudeError && (error.exitCode === EXIT.refreshFailed || error.exitCode === EXIT.cooldown);
    if (!failed || cooldownNoticeDue(config)) log.warn(LAUNCH_WORDS.anyway(reason(error)));
    return safeAssess(config) ?? first;
  } finally {
    progress.stop();
  }
}

/** The environment claude gets: iclaude's own, plus the long-lived token when that is what claude must use. */
function claudeEnv(a: Assessment | null): Env {
  const env: Env = { ...process.env, [LAUNCHER_ENV]: String(process.pid), [DEPTH_ENV]: String(launchDepth() + 1) };
  if (a?.source === "long-lived" && a.accessToken && !process.env.CLAUDE_CODE_OAUTH_TOKEN) env.CLAUDE_CODE_OAUTH_TOKEN = a.accessToken;
  return env;
}

/**
 * One forced refresh after claude's login was refused: the new assessment, or why there is none.
 * A long-lived token that takes over only now (claude has just ended its own login) is worth the retry.
 */
async function renewAfterRefusal(config: Config, first: Assessment | null): Promise<Assessment | string> {
  try {
    const { outcome, after } = await refreshIfDue(config, { ...AFTER_REFUSAL, force: true });
    if (outcome === "refreshed" || outcome === "restored" || outcome === "refreshed-elsewhere" || outcome === "long-lived-stored") return after;
    if (after.source === "long-lived" && first?.source !== "long-lived") return after;
    return after.source === "env" ? LAUNCH_WORDS.envToken : LAUNCH_WORDS.nothingToRenew;
  } catch (error) {
    return reason(error);
  }
}

const STOPPING = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * A terminal or a device such as /dev/null: claude reads it itself, as it would without iclaude,
 * and a retry finds it just as the first run did. A pipe or a file is read once, so it is taped.
 */
function stdinIsDevice(): boolean {
  try {
    return fstatSync(0).isCharacterDevice();
  } catch {
    return false;
  }
}

/** What the gate still holds reaches stdout, unless nobody reads it any more. */
const release = (gate: StdoutGate): Promise<void> => gate.release().catch(() => undefined);

/**
 * A non-interactive run: claude's stdout goes through the gate, its stdin
 * through a tape, so that one auth failure can be cured by one forced refresh
 * and one retry whose output alone reaches stdout. Anything else claude
 * reports (rate limits, network errors, bad flags) is its answer, unchanged.
 */
async function runWithRetry(config: Config, bin: string, args: string[], a: Assessment | null, io: LaunchIo): Promise<number> {
  const tape = stdinIsDevice() ? null : new StdinTape(io.stdin);
  const gate = new StdoutGate(io.writeStdout);
  // A run someone stopped (Ctrl-C, a closed terminal, kill) or that died by a signal is over, whatever it printed.
  let stopped = false;
  const noteStop = () => {
    stopped = true;
  };
  for (const signal of STOPPING) process.on(signal, noteStop);
  const first = await spawnClaude(bin, args, claudeEnv(a), { tape, output: gate });
  for (const signal of STOPPING) process.off(signal, noteStop);
  if (first === 0 || stopped || first > 128 || !gate.heldAuthFailure()) {
    await release(gate);
    return first;
  }
  if (tape && !tape.replayable) {
    await release(gate);
    log.warn(LAUNCH_WORDS.notReplayable);
    return first;
  }
  const renewed = await renewAfterRefusal(config, a);
  if (typeof renewed === "string") {
    await release(gate);
    log.warn(LAUNCH_WORDS.notRenewed(renewed));
    return first;
  }
  log.warn(renewed.source === "long-lived" && a?.source !== "long-lived" ? LAUNCH_WORDS.retryLongLived : LAUNCH_WORDS.retryRefreshed);
  return spawnClaude(bin, args, claudeEnv(renewed), { tape, output: null });
}

/** A broken setting costs the login check, never the launch: claude runs as it would without iclaude. */
function configOrWarn(): Config | null {
  try {
    return loadConfig();
  } catch (error) {
    log.warn(LAUNCH_WORDS.unchecked(reason(error)));
    return null;
  }
}

/** The box syncs its login this often while claude runs: the broker refreshes an hour before expiry. */
const BROKER_SYNC_MS = 60_000;

/**
 * Inside a box (ICLAUDE_BROKER): the login comes from the broker, written
 * before claude starts and kept fresh while it runs. There is nothing to
 * refresh or retry here: the box holds no refresh token.
 */
async function launchFromBroker(socket: string, bin: string, args: string[]): Promise<number> {
  const [{ brokerProfile }, { boxTarget, keepSynced, syncOnce }] = await Promise.all([import("../broker/client.ts"), import("../broker/sync.ts")]);
  const target = boxTarget(undefined);
  const profile = brokerProfile(undefined);
  try {
    await syncOnce(socket, profile, target);
  } catch (error) {
    log.warn(LAUNCH_WORDS.anyway(reason(error)));
  }
  const loop = keepSynced(socket, profile, target, BROKER_SYNC_MS, () => {});
  try {
    return await spawnClaude(bin, args, claudeEnv(null), { tape: null, output: null });
  } finally {
    loop.stop();
  }
}

/** `iclaude [run] [--] ARGS`: the real claude with a fresh login; resolves to claude's exit code. */
export async function launch(args: string[], io: LaunchIo): Promise<number> {
  checkNotLooping();
  const config = configOrWarn();
  const bin = findClaude(config ?? { claudeBin: process.env.ICLAUDE_CLAUDE_BIN || undefined });
  if (process.env.ICLAUDE_BROKER) return launchFromBroker(process.env.ICLAUDE_BROKER, bin, args);
  if (!config) return spawnClaude(bin, args, claudeEnv(null), { tape: null, output: null });
  const print = isPrint(args);
  const stdoutIsTerminal = isTerminal(1);
  const atTerminal = startsSession(args) && stdoutIsTerminal && isTerminal(0);
  const assessment = await prepare(config, atTerminal, io.terminal);
  if (atTerminal) await offerProfileOnce(config, io.terminal);
  if ((print || !stdoutIsTerminal) && !streamsInput(args)) return runWithRetry(config, bin, args, assessment, io);
  return spawnClaude(bin, args, claudeEnv(assessment), { tape: null, output: null });
}
