import { describe, expect, test } from "bun:test";
import { StdinTape } from "../../../src/launcher/stdin-tape.ts";

function streamOf(chunks: string[]): () => ReadableStream<Uint8Array> {
  return () =>
    new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
}

function sink() {
  const parts: Uint8Array[] = [];
  let ended = false;
  return {
    write: (chunk: Uint8Array) => parts.push(chunk),
    flush: async () => 0,
    end: async () => {
      ended = true;
      return 0;
    },
    get text() {
      return Buffer.concat(parts).toString();
    },
    get ended() {
      return ended;
    },
  };
}

describe("StdinTape", () => {
  test("feeds the whole input, then feeds it again from the start to a retry", async () => {
    const tape = new StdinTape(streamOf(["git diff ", "output\n", "more"]));
    const first = sink();
    await tape.feed(first as never, () => false);
    const second = sink();
    await tape.feed(second as never, () => false);
    expect([first.text, first.ended, second.text, second.ended]).toEqual(["git diff output\nmore", true, "git diff output\nmore", true]);
    expect(tape.replayable).toBe(true);
  });

  test("a claude that stopped is no longer fed, and the retry still gets everything", async () => {
    const tape = new StdinTape(streamOf(["a", "b", "c"]));
    const first = sink();
    let stopped = false;
    const partial = {
      ...first,
      write: (chunk: Uint8Array) => {
        first.write(chunk);
        stopped = true;
      },
    };
    await tape.feed(partial as never, () => stopped);
    expect([first.text, first.ended]).toEqual(["a", false]);
    const second = sink();
    await tape.feed(second as never, () => false);
    expect(second.text).toBe("abc");
  });
});
