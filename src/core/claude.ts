import { accessSync, closeSync, constants as fsConstants, openSync, readSync, realpathSync, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { delimiter, resolve } from "node:path";
import type { FileSink } from "bun";
import type { Config } from "./config.ts";
import { describeFsError, IclaudeError } from "./errors.ts";
import type { StdinTape } from "./stdin-tape.ts";

/** The shell's "command not found": what a user gets when there is no claude to run. */
export const EXIT_NO_CLAUDE = 127;

const INSTALL_HINT = "install Claude Code (`npm install -g @anthropic-ai/claude-code`) or set ICLAUDE_CLAUDE_BIN to the real claude";

/** Wrapper scripts are a few lines; anything larger (an old npm cli.js is megabytes) is a real claude. */
const WRAPPER_MAX_BYTES = 64 * 1024;

/** Set in claude's environment: a `claude` that starts iclaude again directly is a loop, not a nested session. */
export const LAUNCHER_ENV = "ICLAUDE_LAUNCHER_PID";

type Env = Record<string, string | undefined>;

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function headOf(path: string, size: number): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(Math.min(size, WRAPPER_MAX_BYTES));
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString("latin1");
  } finally {
    closeSync(fd);
  }
}

/**
 * True when running `candidate` would start iclaude again: the same file
 * (through any symlink or hard link), or a small script that names iclaude.
 */
export function leadsToSelf(candidate: string, self: string): boolean {
  const real = realpathSync(candidate);
  const selfReal = realpathSync(self);
  if (real === selfReal) return true;
  const [a, b] = [statSync(real), statSync(selfReal)];
  if (a.dev === b.dev && a.ino === b.ino) return true;
  if (a.size > WRAPPER_MAX_BYTES) return false;
  const text = headOf(real, a.size);
  return text.startsWith("#!") && (text.includes(selfReal) || text.includes(self) || /\biclaude\b/.test(text));
}

function searchPath(name: string, env: Env): string[] {
  return (env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => resolve(dir, name))
    .filter(isExecutableFile);
}

/**
 * The real claude: ICLAUDE_CLAUDE_BIN (or config `claude_bin`; a bare name is
 * looked up on PATH), else the first `claude` on PATH that does not lead back
 * to iclaude. `self` is this binary.
 */
export function findClaude(config: Pick<Config, "claudeBin">, env: Env = process.env, self: string = process.execPath): string {
  if (config.claudeBin) {
    const path = config.claudeBin.includes("/") ? resolve(config.claudeBin) : searchPath(config.claudeBin, env)[0];
    if (!path || !isExecutableFile(path)) {
      throw new IclaudeError(`ICLAUDE_CLAUDE_BIN (or config claude_bin) is "${config.claudeBin}", which is not an executable file; ${INSTALL_HINT}.`, EXIT_NO_CLAUDE);
    }
    if (leadsToSelf(path, self)) {
      throw new IclaudeError(`ICLAUDE_CLAUDE_BIN (or config claude_bin) "${config.claudeBin}" runs iclaude itself; point it at the real claude.`, EXIT_NO_CLAUDE);
    }
    return path;
  }
  const candidates = searchPath("claude", env);
  const found = candidates.find((path) => !leadsToSelf(path, self));
  if (found) return found;
  const skipped = candidates.length > 0 ? ` (${candidates.join(", ")} ${candidates.length === 1 ? "runs" : "run"} iclaude itself)` : "";
  throw new IclaudeError(`Cannot find the real claude on PATH${skipped}; ${INSTALL_HINT}.`, EXIT_NO_CLAUDE);
}

/**
 * A `claude` that iclaude started which started iclaude again as its direct
 * child: a wrapper or copy the file checks above could not see through.
 * A session nested inside claude (claude → shell → iclaude) has claude or a
 * shell as its parent, never the launcher, so it is not refused.
 */
export function checkNotLooping(env: Env = process.env, parentPid: number = process.ppid): void {
  if (env[LAUNCHER_ENV] === String(parentPid)) {
    throw new IclaudeError(`The claude iclaude found runs iclaude again; set ICLAUDE_CLAUDE_BIN to the real claude.`, EXIT_NO_CLAUDE);
  }
}

/** Claude's exit code; a death by signal n becomes 128+n, as a shell reports it. */
export function exitCodeOf(exitCode: number | null, signal: NodeJS.Signals | number | null): number {
  if (exitCode !== null) return exitCode;
  if (typeof signal === "number") return 128 + signal;
  return 128 + (signal ? osConstants.signals[signal] : 0);
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

function start(bin: string, args: string[], env: Record<string, string | undefined>, streams: Streams) {
  try {
    const child = Bun.spawn([bin, ...args], { env, stdin: streams.tape ? "pipe" : "inherit", stdout: streams.output ? "pipe" : "inherit", stderr: "inherit" });
    return {
      child,
      stdin: streams.tape ? (child.stdin as FileSink) : null,
      stdout: streams.output ? (child.stdout as ReadableStream<Uint8Array>) : null,
    };
  } catch (error) {
    throw new IclaudeError(`Cannot start claude (${bin}): ${describeFsError(error)}.`, 126, { cause: error });
  }
}

/**
 * Runs claude with the environment given and the signals forwarded; stdio
 * inherited unless a tape or an output is given. Resolves to claude's exit
 * code once its output is through.
 */
export async function spawnClaude(bin: string, args: string[], env: Record<string, string | undefined>, streams: Streams): Promise<number> {
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
