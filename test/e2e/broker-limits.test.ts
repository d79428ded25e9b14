import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, lchownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startBroker } from "../fixtures/broker.ts";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { HOUR, runBin, tempHome, unprivileged, waitFor, writeCredentials } from "../helpers.ts";

/** What one box can cost the broker and everyone else on it, and the sentences at the broker's edges. */

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const REQUEST = `${JSON.stringify({ v: 1, op: "token" })}\n`;
const asRoot = process.getuid?.() === 0;

function host() {
  const home = tempHome("iclaude-host-");
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 5 * HOUR });
  return { home, pair, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, XDG_RUNTIME_DIR: join(home, "run") } };
}

/** Writes `text` on a fresh connection and collects every answer line until the broker closes it (or `lines` have come). */
function exchange(socket: string, text: string, lines = Infinity): Promise<{ answers: Record<string, unknown>[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const done = (closed: boolean) =>
      resolve({
        answers: buffer
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
        closed,
      });
    Bun.connect({
      unix: socket,
      socket: {
        open: (s) => void s.write(text),
        data(s, chunk) {
          buffer += chunk.toString();
          if (buffer.split("\n").length - 1 >= lines) {
            s.end();
            done(false);
          }
        },
        close: () => done(true),
        error: (_, error) => reject(error),
      },
    }).catch(reject);
  });
}

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe("what one box can cost the broker", () => {
  test("300 connections pipelining 10,000 requests each and never reading: a newcomer is answered within a second, the broker's memory stays bounded, and nothing of the flood is answered once it has gone", async () => {
    const h = host();
    const broker = await startBroker(h.home, [], h.env);
    const box = tempHome("iclaude-box-");
    // Past the broker's 256 connections some are closed as they come: those are the flood's loss.
    const connecting = Array.from({ length: 300 }, () => Bun.connect({ unix: broker.socket, socket: { data() {}, close() {}, error() {} } }).catch(() => null));
    const flood = (await Promise.all(connecting)).filter((conn) => conn !== null);
    try {
      for (const conn of flood) {
        conn.pause();
        conn.write(REQUEST.repeat(10_000));
      }
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        const { answers } = await exchange(broker.socket, REQUEST, 1);
        latencies.push(performance.now() - start);
        expect(answers[0]?.accessToken).toBe(h.pair.accessToken);
      }
      expect(median(latencies)).toBeLessThan(1000);
      const run = await runBin(["token", "--broker", broker.socket], { home: box, timeoutMs: 15_000 });
      expect([run.code, run.stdout, run.stderr]).toEqual([0, `${h.pair.accessToken}\n`, ""]);
      expect(rssMiB(broker.pid)).toBeLessThan(400);
    } finally {
      for (const conn of flood) conn.terminate();
    }
    expect((await runBin(["token", "--broker", broker.socket], { home: box, timeoutMs: 15_000 })).code).toBe(0);
    // Every close was seen before that answer: from here on, no request of the flood may be answered.
    const mark = broker.log().length;
    expect((await runBin(["token", "--broker", broker.socket], { home: box, timeoutMs: 15_000 })).code).toBe(0);
    const since = () => broker.log().slice(mark);
    await waitFor(() => new RegExp(`token for pid (?!${process.pid} )\\d+`).test(since()), 10_000);
    expect(since()).not.toContain(`pid ${process.pid} `);
    expect(await broker.stop()).toBe(0);
  }, 60_000);

  test("a request line past 4 KB is refused and its connection closed, even when its newline comes in the same write as the line", async () => {
    const h = host();
    const broker = await startBroker(h.home, [], h.env);
    const long = `${JSON.stringify({ v: 1, op: "token", profile: `/${"x".repeat(5000)}` })}\n`;
    const exchanged = exchange(broker.socket, `${REQUEST}${long}${REQUEST}`);
    let closed = false;
    void exchanged.then(() => {
      closed = true;
    });
    await waitFor(() => closed, 10_000, "the broker closed the connection after the line that was too long");
    expect((await exchanged).answers).toEqual([
      expect.objectContaining({ ok: true, accessToken: h.pair.accessToken }),
      { v: 1, ok: false, code: "bad-request", exitCode: 31, error: "A request line is longer than 4096 bytes." },
    ]);
    expect(await broker.stop()).toBe(0);
  });
});

describe("the sentences at the broker's edges", () => {
  test.skipIf(!asRoot)("refuses a socket dir that is another user's symbolic link, even to a private dir of its own", async () => {
    const h = host();
    const real = join(h.home, "real");
    mkdirSync(real, { mode: 0o700 });
    const link = join(h.home, "link");
    symlinkSync(real, link);
    lchownSync(link, 65534, 65534);
    const run = await runBin(["broker", "serve", "--socket", join(link, "broker.sock")], { home: h.home, env: h.env, timeoutMs: 15_000 });
    expect([run.code, run.stdout, run.stderr]).toEqual([
      32,
      "",
      `iclaude: The socket's dir ${link} is a symbolic link owned by another user (uid 65534), who could point it elsewhere; use a dir of your own (--socket).\n`,
    ]);
  });

  test.skipIf(!asRoot)("`broker sync` into a dir it cannot write says so, not that a lock is held", async () => {
    const h = host();
    chownSync(h.home, 65534, 65534);
    for (const path of [".claude", ".claude/.credentials.json"]) chownSync(join(h.home, path), 65534, 65534);
    const broker = await startBroker(h.home, [], h.env, unprivileged);
    const box = tempHome("iclaude-box-");
    chmodSync(box, 0o755);
    const dir = join(box, "read-only");
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, ".claude.json"), JSON.stringify({ hasCompletedOnboarding: true }), { mode: 0o644 });
    const run = await runBin(["broker", "sync", "--once", "--broker", broker.socket, "--to", dir], { home: box, argv: unprivileged });
    expect([run.code, run.stdout, run.stderr]).toEqual([
      2,
      "",
      `iclaude: Cannot write to ${dir}: the dir is not writable (permission denied); check --to and its permissions.\n`,
    ]);
    expect(await broker.stop()).toBe(0);
  });
});
