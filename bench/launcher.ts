/**
 * What the launcher adds to claude, in the same run.
 *
 *   bun bench/launcher.ts [path/to/iclaude]      (default dist/iclaude)
 *
 * Times, interleaved round by round so all see the same machine: the real
 * `claude --version` (node_modules/.bin/claude), `iclaude -- --version` (the
 * whole launch path with a valid login: config, one credentials read, finding
 * claude, spawning it with signals forwarded), and `iclaude status`. Prints
 * the medians and each as a ratio to `claude --version`. Target: the launcher
 * adds at most 15%.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
const BIN = resolve(process.argv[2] ?? join(ROOT, "dist", "iclaude"));
const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");
const ROUNDS = 31;
const WARM_UP = 3;

const home = mkdtempSync(join(tmpdir(), "iclaude-bench-"));
mkdirSync(join(home, ".claude"), { mode: 0o700 });
const token = (kind: string) => `sk-ant-${kind}-${"x".repeat(93)}AA`;
writeFileSync(
  join(home, ".claude", ".credentials.json"),
  JSON.stringify({
    claudeAiOauth: {
      accessToken: token("oat01"),
      refreshToken: token("ort01"),
      expiresAt: Date.now() + 8 * 3600_000,
      scopes: ["user:inference"],
      subscriptionType: "max",
    },
  }),
  { mode: 0o600 },
);
const env = { HOME: home, PATH: "/usr/bin:/bin", NO_COLOR: "1", DISABLE_AUTOUPDATER: "1", DISABLE_TELEMETRY: "1", ICLAUDE_CLAUDE_BIN: CLAUDE };

async function time(argv: string[]): Promise<number> {
  const start = performance.now();
  const proc = Bun.spawn(argv, { cwd: home, env, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}: ${stderr.trim()}`);
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const cases = {
  "claude --version": [CLAUDE, "--version"],
  "iclaude -- --version": [BIN, "--", "--version"],
  "iclaude status": [BIN, "status", "--quiet"],
} as const;
type Case = keyof typeof cases;
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, [] as number[]])) as Record<Case, number[]>;
try {
  for (let round = 0; round < WARM_UP + ROUNDS; round++) {
    for (const [name, argv] of Object.entries(cases) as [Case, readonly string[]][]) {
      const ms = await time([...argv]);
      if (round >= WARM_UP) samples[name].push(ms);
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}

const base = median(samples["claude --version"]);
console.log(
  `iclaude launcher bench: ${ROUNDS} rounds, ${BIN}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (const name of Object.keys(cases) as Case[]) {
  const m = median(samples[name]);
  console.log(`${name.padEnd(24)} median ${m.toFixed(1).padStart(6)} ms  ${(m / base).toFixed(2)}× claude --version`);
}
