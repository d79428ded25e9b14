/**
 * What the broker costs, in the same run.
 *
 *   bun bench/broker.ts [path/to/iclaude]      (default dist/iclaude)
 *
 * With a login that has nothing due: (1) token requests per second through a
 * running `iclaude broker serve`, from 1 and from 8 concurrent clients, each
 * opening a connection per request as `token --broker` does; (2) `iclaude token` and
 * `iclaude token --broker` as processes, interleaved round by round so both
 * see the same machine, and the added latency of going through the broker;
 * (3) a flood: a newcomer's latency (one request on a connection of its own)
 * while 300 connections pipeline 10,000 requests each and never read, as a
 * ratio to its latency on the same broker while it is quiet.
 */
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { requestToken } from "../src/broker/client.ts";
import { startMockAnthropic } from "../test/fixtures/mock-anthropic.ts";
import { BIN, benchHome, median, timeRun } from "./common.ts";

const REQUESTS = 2000;
const FLOOD_CONNECTIONS = 300;
const FLOOD_LINES = 10_000;
const NEWCOMER_SAMPLES = 21;
const CLIENTS = [1, 8];
const ROUNDS = 31;
const WARM_UP = 3;

const mock = startMockAnthropic();
const bench = benchHome(mock);
const { home, env } = bench;
const socket = join(home, "run", "broker.sock");
const broker = Bun.spawn([BIN, "broker", "serve", "--socket", socket], { cwd: home, env, stdin: "ignore", stdout: "ignore", stderr: "ignore" });

/** Requests per second from `clients` concurrent clients; concurrent ones share an answer (single flight). */
async function throughput(clients: number): Promise<number> {
  let left = REQUESTS;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left-- > 0) await requestToken(socket);
    }),
  );
  return REQUESTS / ((performance.now() - start) / 1000);
}

/** One request's round trip on a fresh connection, as `token --broker` makes it, in ms. */
async function newcomer(): Promise<number> {
  const start = performance.now();
  await requestToken(socket);
  return performance.now() - start;
}

async function newcomerSamples(): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < NEWCOMER_SAMPLES; i++) samples.push(await newcomer());
  return samples;
}

/** The newcomer's latencies while FLOOD_CONNECTIONS greedy connections pipeline and never read. */
async function underFlood(): Promise<number[]> {
  const line = `${JSON.stringify({ v: 1, op: "token" })}\n`.repeat(FLOOD_LINES);
  // Past the broker's 256 connections some are closed as they come: those are the flood's loss.
  const connecting = Array.from({ length: FLOOD_CONNECTIONS }, () =>
    Bun.connect({ unix: socket, socket: { data() {}, close() {}, error() {} } }).catch(() => null),
  );
  const flood = (await Promise.all(connecting)).filter((conn) => conn !== null);
  try {
    for (const conn of flood) {
      conn.pause();
      conn.write(line);
    }
    return await newcomerSamples();
  } finally {
    for (const conn of flood) conn.terminate();
  }
}

const rps: Record<number, number> = {};
const newcomerMs = { quiet: [] as number[], flood: [] as number[] };
const samples = { direct: [] as number[], broker: [] as number[] };
try {
  for (let i = 0; i < 100; i++) {
    if (
      await requestToken(socket).then(
        () => true,
        () => false,
      )
    )
      break;
    await Bun.sleep(50);
  }
  for (const clients of CLIENTS) rps[clients] = await throughput(clients);
  newcomerMs.quiet = await newcomerSamples();
  newcomerMs.flood = await underFlood();
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    const direct = await timeRun(bench, ["token"]);
    const viaBroker = await timeRun(bench, ["token", "--broker", socket]);
    if (round < WARM_UP) continue;
    samples.direct.push(direct);
    samples.broker.push(viaBroker);
  }
} finally {
  broker.kill("SIGTERM");
  await broker.exited;
  await mock.stop();
  rmSync(home, { recursive: true, force: true });
}

const [direct, viaBroker] = [median(samples.direct), median(samples.broker)];
console.log(
  `iclaude broker bench: ${BIN}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (const clients of CLIENTS) {
  console.log(
    `through the broker, nothing due: ${(rps[clients] ?? 0).toFixed(0).padStart(6)} token requests/s (${REQUESTS} requests, ${clients} client${clients > 1 ? "s" : ""}, a connection each)`,
  );
}
console.log(`iclaude token                  median ${direct.toFixed(1).padStart(6)} ms (${ROUNDS} rounds)`);
console.log(
  `iclaude token --broker         median ${viaBroker.toFixed(1).padStart(6)} ms  (${(viaBroker - direct >= 0 ? "+" : "") + (viaBroker - direct).toFixed(1)} ms)`,
);
const [quiet, flooded] = [median(newcomerMs.quiet), median(newcomerMs.flood)];
console.log(`a newcomer, quiet broker         median ${quiet.toFixed(1).padStart(6)} ms (${NEWCOMER_SAMPLES} requests)`);
console.log(
  `a newcomer, ${FLOOD_CONNECTIONS} greedy connections median ${flooded.toFixed(1).padStart(6)} ms, max ${Math.max(...newcomerMs.flood).toFixed(1)} ms (${(flooded / quiet).toFixed(1)}× quiet; each pipelines ${FLOOD_LINES} requests, never reads)`,
);
console.log(`grants redeemed: ${mock.redeemed.length}`);
