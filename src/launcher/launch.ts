import { fstatSync } from "node:fs";
import { type Config, loadConfig } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { messageOf } from "../base/errors.ts";
import { isTerminal } from "../base/tty.ts";
import type { Assessment } from "../credentials/assessment.ts";
import { log } from "../ui/log.ts";
import type { Terminal } from "../ui/terminal.ts";
import { LAUNCH_WORDS } from "../ui/words.ts";
import { isPrint, startsSession, streamsInput } from "./args.ts";
import { checkNotLooping, DEPTH_ENV, findClaude, LAUNCHER_ENV, launchDepth } from "./find.ts";
import { lastCheckStands } from "./last-check.ts";
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

/** The environment claude gets: iclaude's own, plus the long-lived token when that is what claude must use. */
function claudeEnv(a: Assessment | null): Env {
  const env: Env = { ...process.env, [LAUNCHER_ENV]: String(process.pid), [DEPTH_ENV]: String(launchDepth() + 1) };
  if (a?.source === "long-lived" && a.accessToken && !process.env.CLAUDE_CODE_OAUTH_TOKEN) env.CLAUDE_CODE_OAUTH_TOKEN = a.accessToken;
  return env;
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
  const { renewAfterRefusal } = await import("./prepare.ts");
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
    log.warn(LAUNCH_WORDS.unchecked(messageOf(error)));
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
    log.warn(LAUNCH_WORDS.anyway(messageOf(error)));
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
  // The last check's verdict still standing, claude starts with no credentials read and nothing to hand it.
  const assessment = lastCheckStands(config) ? null : await (await import("./prepare.ts")).prepare(config, atTerminal, io.terminal);
  if (atTerminal) await (await import("../ui/profile-offer.ts")).offerProfileOnce(config, io.terminal);
  if ((print || !stdoutIsTerminal) && !streamsInput(args)) return runWithRetry(config, bin, args, assessment, io);
  return spawnClaude(bin, args, claudeEnv(assessment), { tape: null, output: null });
}
