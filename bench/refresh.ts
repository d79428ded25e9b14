/**
 * What a refresh costs, against the binary's own start-up, in the same run.
 *
 *   bun bench/refresh.ts [path/to/iclaude]      (default dist/iclaude)
 *
 * Times, interleaved round by round so all three see the same machine:
 * `iclaude --version` (bare start-up), `iclaude status`, and a full
 * `iclaude refresh --force` (locks, re-read, the grant against the loopback
 * token endpoint, the atomic write with its backup, next-check). Prints the
 * medians and each as a ratio to `--version`.
 */
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { startMockAnthropic } from "../test/fixtures/mock-anthropic.ts";
import { BIN, benchHome, median, timeRun } from "./common.ts";

const ROUNDS = 31;
const WARM_UP = 3;

const mock = startMockAnthropic();
const bench = benchHome(mock);
const { home } = bench;

const cases = { version: ["--version"], status: ["status", "--quiet"], refresh: ["refresh", "--force", "--quiet"] } as const;
const samples: Record<keyof typeof cases, number[]> = { version: [], status: [], refresh: [] };
try {
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    for (const [name, args] of Object.entries(cases) as [keyof typeof cases, readonly string[]][]) {
      const ms = await timeRun(bench, [...args]);
      if (round >= WARM_UP) samples[name].push(ms);
    }
  }
} finally {
  await mock.stop();
  rmSync(home, { recursive: true, force: true });
}

const base = median(samples.version);
console.log(
  `iclaude refresh bench: ${ROUNDS} rounds, ${BIN}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
  const m = median(samples[name]);
  console.log(`${`iclaude ${cases[name].join(" ")}`.padEnd(36)} median ${m.toFixed(1).padStart(6)} ms  ${(m / base).toFixed(2)}× --version`);
}
console.log(`grants redeemed: ${mock.redeemed.length}`);
