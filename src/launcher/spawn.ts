import type { FileSink } from "bun";
import type { Env } from "../base/env.ts";
import { describeFsError, EXIT, IclaudeError } from "../base/errors.ts";
import type { StdinTape } from "./stdin-tape.ts";

/** Claude's exit code; a death by signal n becomes 128+n, as a shell reports it. */
export function exitCodeOf(exitCode: number | null, signal: NodeJS.Signals | number | null): number {
  if (exitCode !== null) return exitCode;
  if (typeof signal === "number") return 128 + signal;
  // node:os only for a death by a named signal: a launch that ends normally does not load it.
  return 128 + (signal ? (require("node:os") as typeof import("node:os")).constants.signals[signal] : 0);
}

/**
 * Forwarded to claude while it runs. In an interactive session the terminal
 * is in raw mode, so Ctrl-C reaches claude as a keystroke and no SIGINT is
 * sent; a SIGINT iclaude receives was aimed at it (`kill -INT`, a process
 * manager), or the terminal sent it to the whole foreground group in a `-p`
 * run that is ending anyway. Taking the signals also keeps iclaude alive to
 * report claude's exit code.
 */
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGWINCH"] as const;

/** Forwards the signals to `child` until the returned function is called. */
export function forwardSignals(child: { kill(signal: NodeJS.Signals): void }): () => void {
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      try {
        child.kill(signal);
      } catch {
        // Claude has already exited.
      }
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** Where claude's stdout goes when iclaude reads it; a rejected push means nobody reads iclaude's stdout any more. */
export interface Output {
  push(chunk: Uint8Array): Promise<void>;
}

export interface Streams {
  /** Claude's stdin through this tape; null: iclaude's own stdin, inherited. */
  tape: StdinTape | null;
  /** Claude's stdout into this; null: iclaude's own stdout, inherited. */
  output: Output | null;
}

/**
 * After claude exits, output can only come from processes it left running
 * that hold the pipe: they are waited for this long after the last byte.
 */
const LINGER_MS = 1_000;
const IDLE: unique symbol = Symbol("idle");

async function drain(stream: ReadableStream<Uint8Array>, output: Output, exited: Promise<unknown>): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const idle = exited.then(() => Bun.sleep(LINGER_MS)).then((): typeof IDLE => IDLE);
      const next = await Promise.race([reader.read(), idle]);
      if (typeof next === "symbol" || next.done) return;
      await output.push(next.value);
    }
  } catch {
    // iclaude's stdout is closed: stop reading, so claude's next write fails as it would have.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function start(bin: string, args: string[], env: Env, streams: Streams) {
  try {
    const child = Bun.spawn([bin, ...args], { env, stdin: streams.tape ? "pipe" : "inherit", stdout: streams.output ? "pipe" : "inherit", stderr: "inherit" });
    return {
      child,
      stdin: streams.tape ? (child.stdin as FileSink) : null,
      stdout: streams.output ? (child.stdout as ReadableStream<Uint8Array>) : null,
    };
  } catch (error) {
    throw new IclaudeError(`Cannot start claude (${bin}): ${describeFsError(error)}.`, EXIT.cannotRunClaude, { cause: error });
  }
}

/**
 * Runs claude with the environment given and the signals forwarded; stdio
 * inherited unless a tape or an output is given. Resolves to claude's exit
 * code once its output is through.
 */
export async function spawnClaude(bin: string, args: string[], env: Env, streams: Streams): Promise<number> {
  const { child, stdin, stdout } = start(bin, args, env, streams);
  const stopForwarding = forwardSignals(child);
  let exited = false;
  if (streams.tape && stdin) void streams.tape.feed(stdin, () => exited);
  const drained = streams.output && stdout ? drain(stdout, streams.output, child.exited) : null;
  await child.exited;
  exited = true;
  await drained;
  stopForwarding();
  return exitCodeOf(child.exitCode, child.signalCode);
}
