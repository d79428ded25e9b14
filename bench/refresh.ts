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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startMockAnthropic } from "../test/fixtures/mock-anthropic.ts";

const ROOT = resolve(import.meta.dir, "..");
const BIN = resolve(process.argv[2] ?? join(ROOT, "dist", "iclaude"));
const ROUNDS = 31;
const WARM_UP = 3;

const mock = startMockAnthropic();
const home = mkdtempSync(join(tmpdir(), "iclaude-bench-"));
mkdirSync(join(home, ".claude"), { mode: 0o700 });
writeFileSync(
  join(home, ".claude", ".credentials.json"),
  JSON.stringify({ claudeAiOauth: { ...mock.issuePair(), expiresAt: Date.now() + 8 * 3600_000, scopes: ["user:inference", "user:profile"], subscriptionType: "max" } }),
  { mode: 0o600 },
);
const env = { HOME: home, PATH: "/usr/bin:/bin", NO_COLOR: "1", ICLAUDE_TOKEN_URL: mock.tokenUrl };

async function time(args: string[]): Promise<number> {
  const start = performance.now();
  const proc = Bun.spawn([BIN, ...args], { cwd: home, env, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`iclaude ${args.join(" ")} exited ${code}: ${stderr.trim()}`);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const cases = { version: ["--version"], status: ["status", "--quiet"], refresh: ["refresh", "--force", "--quiet"] } as const;
const samples: Record<keyof typeof cases, number[]> = { version: [], status: [], refresh: [] };
try {
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    for (const [name, args] of Object.entries(cases) as [keyof typeof cases, readonly string[]][]) {
      const ms = await time([...args]);
      if (round >= WARM_UP) samples[name].push(ms);
    }
  }
} finally {
  await mock.stop();
  rmSync(home, { recursive: true, force: true });
}

const base = median(samples.version);
console.log(`iclaude refresh bench: ${ROUNDS} rounds, ${BIN}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
  const m = median(samples[name]);
  console.log(`${`iclaude ${cases[name].join(" ")}`.padEnd(36)} median ${m.toFixed(1).padStart(6)} ms  ${(m / base).toFixed(2)}× --version`);
}
console.log(`grants redeemed: ${mock.redeemed.length}`);
