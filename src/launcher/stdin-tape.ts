import type { FileSink } from "bun";

/** Input beyond this is passed on but not kept: such a run is not retried. */
const KEEP_MAX_BYTES = 64 * 1024 * 1024;

/**
 * iclaude's stdin, passed on to claude as it arrives and kept, so that a
 * retried claude reads the very same input (`git diff | iclaude -p review`).
 * Reading is lazy and shared: at most one read is in flight, whichever claude
 * is being fed, and a claude that has exited is simply no longer written to.
 */
export class StdinTape {
  private readonly chunks: Uint8Array[] = [];
  /** How many chunks were let go from the front once the tape stopped keeping. */
  private dropped = 0;
  private bytes = 0;
  private ended = false;
  private reading: Promise<void> | null = null;
  private reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> } | null = null;

  constructor(private readonly source: () => ReadableStream<Uint8Array>) {}

  /** True while everything read so far is still kept. */
  get replayable(): boolean {
    return this.dropped === 0 && this.bytes <= KEEP_MAX_BYTES;
  }

  private more(): Promise<void> {
    this.reading ??= (async () => {
      this.reader ??= this.source().getReader();
      const { done, value } = await this.reader.read();
      if (done || !value) this.ended = true;
      else {
        this.chunks.push(value);
        this.bytes += value.length;
      }
    })().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  /** Writes the input from its start to `sink` and closes it at the end, unless `stopped()` first. */
  async feed(sink: FileSink, stopped: () => boolean): Promise<void> {
    let next = this.dropped;
    try {
      while (!stopped()) {
        if (next < this.dropped + this.chunks.length) {
          const chunk = this.chunks[next - this.dropped] as Uint8Array;
          next += 1;
          sink.write(chunk);
          await sink.flush();
          if (this.bytes > KEEP_MAX_BYTES) this.letGo(next);
          continue;
        }
        if (this.ended) {
          await sink.end();
          return;
        }
        await this.more();
      }
    } catch {
      // Claude closed its stdin: it has read all it wanted, as it would from a pipe.
    }
  }

  private letGo(upTo: number): void {
    const count = upTo - this.dropped;
    this.chunks.splice(0, count);
    this.dropped += count;
  }
}
