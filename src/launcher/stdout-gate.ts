import { isAuthFailure } from "./auth-failures.ts";

/**
 * What claude prints on stdout before it has asked the API anything in
 * `--output-format stream-json` (`system` lines: init, status, hooks). An
 * `api_retry` line is held only when it is an auth failure.
 */
function isPreamble(line: string): boolean {
  if (!line.startsWith("{")) return false;
  try {
    const value = JSON.parse(line) as { type?: unknown; subtype?: unknown };
    return value.type === "system" && value.subtype !== "api_retry";
  } catch {
    return false;
  }
}

/** A line that a run failing for authentication could print before anything else. */
export const couldBeAuthFailure = (line: string): boolean => line.trim() === "" || isAuthFailure(line) || isPreamble(line);

/** Past this much held output, a run is surely not just an auth failure. */
const HOLD_MAX_BYTES = 256 * 1024;

/**
 * Claude's stdout in a run that may be retried. The real claude prints an auth
 * failure on stdout, and a retried run's stdout must carry only the retry's
 * output, so output is held while every line so far could be part of an auth
 * failure (the 401 sentence, stream-json's preamble and api_retry lines, the
 * error result). The first line that cannot be — any answer, any streamed
 * event — releases what was held and everything after passes through as it
 * comes: a good run's bytes are unchanged and still stream; at most the
 * preamble waits for the first answer. A partial line waits for its newline.
 */
export class StdoutGate {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private lines: string[] = [];
  private partial = "";
  private readonly decoder = new TextDecoder();
  private passing = false;

  constructor(private readonly write: (chunk: Uint8Array) => Promise<void>) {}

  async push(chunk: Uint8Array): Promise<void> {
    if (this.passing) return this.write(chunk);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    const parts = (this.partial + this.decoder.decode(chunk, { stream: true })).split("\n");
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts);
    if (this.heldBytes > HOLD_MAX_BYTES || !parts.every(couldBeAuthFailure)) await this.release();
  }

  /** Writes what was held and lets the rest through. */
  async release(): Promise<void> {
    this.passing = true;
    const held = this.held;
    this.held = [];
    for (const chunk of held) await this.write(chunk);
  }

  /** True when nothing was let through and what was held reports an auth failure. */
  heldAuthFailure(): boolean {
    return !this.passing && [...this.lines, this.partial].some(isAuthFailure);
  }
}
