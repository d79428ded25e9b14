import { describeFsError, EXIT, errnoCode, IclaudeError } from "../base/errors.ts";

/*
 * iclaude's own output. Bun builds process.stdout, a Node stream, the first time anything touches
 * it, which costs a run that prints one line 8 to 20 ms; Bun.write writes to the descriptor at once.
 * Log lines (stderr) and a person's terminal keep the stream: it buffers what a stalled reader does
 * not take, so a line never blocks the process (a broker answering, a lock kept fresh).
 */

/** Bytes on stdout as they are; rejects as the write failed (EPIPE: nobody reads any more). */
export async function writeStdout(data: string | Uint8Array): Promise<void> {
  await Bun.write(Bun.stdout, data);
}

let stopped = false;
let failure: IclaudeError | null = null;

/**
 * iclaude's words on stdout. Once stdout fails, nothing more is written and the run goes on: a
 * reader that went away (`| head -1`) is no failure; anything else (a full disk) is said at the end
 * (`stdoutFailure`), so that a refresh's or status's own outcome is still told.
 */
export async function out(text: string): Promise<void> {
  if (stopped) return;
  try {
    await writeStdout(text);
  } catch (error) {
    stopped = true;
    if (errnoCode(error) !== "EPIPE") failure = new IclaudeError(`Cannot write to stdout: ${describeFsError(error)}.`, EXIT.cannotWrite, { cause: error });
  }
}

/** Why this run's output did not reach stdout; null when it did, or when its reader went away. */
export const stdoutFailure = (): IclaudeError | null => failure;

/** Lines on stdout, one per line. */
export const outLines = (lines: readonly string[]): Promise<void> => out(lines.map((line) => `${line}\n`).join(""));

/** A stream whose failed write (a closed terminal, a reader gone) is dropped: no line is worth a run, least of all one with a refresh token in flight. */
export function quiet<S extends NodeJS.WriteStream>(stream: S): S {
  if (stream.listenerCount("error") === 0) stream.on("error", () => {});
  return stream;
}
