/**
 * What the launcher adds to claude, in the same run.
 *
 *   bun bench/launcher.ts [path/to/iclaude] [pairs]      (default dist/iclaude, 21 pairs)
 *
 * The real newest Claude Code (the devDependency) against the loopback stand-in for Anthropic's
 * API (test/fixtures/mock-anthropic.ts), with a valid login in a temp HOME, timed as a user would
 * see it, each pair run back to back in alternating order so both see the same machine:
 *
 *   - `claude -p hi` and `iclaude -p hi`: a real answer from the API, through the whole launch path
 *     (config, one credentials read, next-check, finding claude, the stdout gate, the stdin tape,
 *     claude's exit). Target: the median of the pairs' ratios at most 1.02.
 *   - `claude --version` and `iclaude -- --version`: start-up alone. Target: at most 15 ms more.
 *   - `iclaude -- --version` against a launcher that only starts claude, compiled the same way: what
 *     any launch compiled with Bun costs (the floor), and iclaude's own part beyond it.
 *   - `iclaude --version` against a program that prints one line, compiled the same way: iclaude's
 *     own start-up beyond Bun's, and how fast this machine starts a Bun binary today.
 *   - `iclaude status`, for scale.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compile } from "../scripts/compile.ts";
import { credentialsJson } from "../test/fixtures/claude-home.ts";
import { MOCK_REPLY_TEXT, startMockAnthropic } from "../test/fixtures/mock-anthropic.ts";

const ROOT = resolve(import.meta.dir, "..");
const BIN = resolve(process.argv[2] ?? join(ROOT, "dist", "iclaude"));
const PAIRS = Number(process.argv[3] ?? 21);
const CLAUDE = join(ROOT, "node_modules", "@anthropic-ai", "claude-code", "bin", "claude.exe");
const WARM_UP = 2;

const mock = startMockAnthropic();
const home = mkdtempSync(join(tmpdir(), "iclaude-bench-"));
mkdirSync(join(home, ".claude"), { mode: 0o700 });
writeFileSync(join(home, ".claude", ".credentials.json"), credentialsJson(mock.issuePair()), { mode: 0o600 });
// Onboarding done, as for someone who has used claude before.
writeFileSync(join(home, ".claude.json"), JSON.stringify({ hasCompletedOnboarding: true, numStartups: 1 }));
const env = {
  HOME: home,
  PATH: "/usr/bin:/bin",
  TERM: "dumb",
  LANG: "C.UTF-8",
  NO_COLOR: "1",
  ANTHROPIC_BASE_URL: mock.baseUrl,
  ICLAUDE_TOKEN_URL: mock.tokenUrl,
  ICLAUDE_CLAUDE_BIN: CLAUDE,
  DISABLE_TELEMETRY: "1",
  DISABLE_AUTOUPDATER: "1",
  DISABLE_ERROR_REPORTING: "1",
  DISABLE_BUG_COMMAND: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  // Claude's own calls to Anthropic's other hosts fail at once instead of reaching the internet.
  HTTPS_PROXY: "http://127.0.0.1:1",
  HTTP_PROXY: "http://127.0.0.1:1",
  NO_PROXY: "127.0.0.1,localhost",
};

/** Wall time of one run in ms, from spawn to exit, stdout read as a user's terminal would; a failed run stops the bench. */
async function time(argv: readonly string[], expect?: string): Promise<number> {
  const start = performance.now();
  const proc = Bun.spawn([...argv], { cwd: home, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const ms = performance.now() - start;
  if (code !== 0 || (expect && !stdout.includes(expect))) throw new Error(`${argv.join(" ")} exited ${code}: ${stderr.trim() || stdout.trim()}`);
  return ms;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

interface Pairs {
  base: number[];
  launched: number[];
}

/** `pairs` A/B pairs, the order alternating pair by pair; the first WARM_UP pairs are not counted. */
async function abPairs(base: readonly string[], launched: readonly string[], pairs: number, expect?: string): Promise<Pairs> {
  const out: Pairs = { base: [], launched: [] };
  for (let i = 0; i < WARM_UP + pairs; i++) {
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await time(base, expect);
      b = await time(launched, expect);
    } else {
      b = await time(launched, expect);
      a = await time(base, expect);
    }
    if (i < WARM_UP) continue;
    out.base.push(a);
    out.launched.push(b);
  }
  return out;
}

const fmt = (ms: number): string => `${ms.toFixed(1).padStart(6)} ms`;

try {
  const bareSource = join(home, "bare.ts");
  const BARE = join(home, "bare");
  writeFileSync(bareSource, 'console.log("bare");\n');
  await compile(BARE, undefined, bareSource);
  const bareLauncherSource = join(home, "bare-launcher.ts");
  const BARE_LAUNCHER = join(home, "bare-launcher");
  writeFileSync(
    bareLauncherSource,
    "process.exit(await Bun.spawn([process.env.ICLAUDE_CLAUDE_BIN, ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'inherit'] }).exited);\n",
  );
  await compile(BARE_LAUNCHER, undefined, bareLauncherSource);
  const print = await abPairs([CLAUDE, "-p", "hi"], [BIN, "-p", "hi"], PAIRS, MOCK_REPLY_TEXT);
  const version = await abPairs([CLAUDE, "--version"], [BIN, "--", "--version"], PAIRS);
  const floor = await abPairs([BARE_LAUNCHER, "--version"], [BIN, "--", "--version"], PAIRS);
  const own = await abPairs([BARE], [BIN, "--version"], PAIRS);
  const status: number[] = [];
  for (let i = 0; i < PAIRS; i++) status.push(await time([BIN, "status", "--quiet"]));

  console.log(
    `iclaude launcher bench: ${PAIRS} pairs each, ${BIN}, claude ${CLAUDE}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const ratios = print.launched.map((ms, i) => ms / (print.base[i] as number));
  console.log(`claude -p hi             median ${fmt(median(print.base))}`);
  console.log(`iclaude -p hi            median ${fmt(median(print.launched))}  median of pair ratios ${median(ratios).toFixed(3)}× (target ≤ 1.02×)`);
  const diffs = version.launched.map((ms, i) => ms - (version.base[i] as number));
  console.log(`claude --version         median ${fmt(median(version.base))}`);
  console.log(`iclaude -- --version     median ${fmt(median(version.launched))}  median of pair differences +${median(diffs).toFixed(1)} ms (target ≤ 15 ms)`);
  const floorDiffs = floor.launched.map((ms, i) => ms - (floor.base[i] as number));
  const floorOverClaude = median(floor.base) - median(version.base);
  console.log(`bare Bun launcher        median ${fmt(median(floor.base))}  (+${floorOverClaude.toFixed(1)} ms over claude --version, medians)`);
  console.log(`iclaude -- --version     median ${fmt(median(floor.launched))}  median of pair differences +${median(floorDiffs).toFixed(1)} ms`);
  const ownDiffs = own.launched.map((ms, i) => ms - (own.base[i] as number));
  console.log(`bare Bun program         median ${fmt(median(own.base))}`);
  console.log(`iclaude --version        median ${fmt(median(own.launched))}  median of pair differences +${median(ownDiffs).toFixed(1)} ms`);
  console.log(`iclaude status           median ${fmt(median(status))}`);
} finally {
  await mock.stop();
  rmSync(home, { recursive: true, force: true });
}
