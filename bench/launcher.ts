/**
 * What the launcher adds to claude, in the same run.
 *
 *   bun bench/launcher.ts [path/to/iclaude] [pairs]      (default dist/iclaude, 24 pairs)
 *
 * The real newest Claude Code (the devDependency) against the loopback stand-in for Anthropic's
 * API (test/fixtures/mock-anthropic.ts), with a valid login in a temp HOME, timed as a user would
 * see it, the commands compared run back to back, round by round in every order, so they see the
 * same machine; each binary starts from disk (common.ts's readFromDisk), as after a reboot:
 *
 *   - `claude -p hi` and `iclaude -p hi`: a real answer from the API, through the whole launch path
 *     (config, one credentials read, next-check, finding claude, the stdout gate, the stdin tape,
 *     claude's exit). Target: the median of the pairs' ratios at most 1.02. `claude -p hi` runs a
 *     second time in each round, and the same ratio of claude against itself is this machine's noise.
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
import { median, readFromDisk } from "./common.ts";

const ROOT = resolve(import.meta.dir, "..");
const BIN = resolve(process.argv[2] ?? join(ROOT, "dist", "iclaude"));
const PAIRS = Number(process.argv[3] ?? 24);
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
  // Each claude -p leaves a dir behind in its temp dir: here, removed with the bench's HOME.
  CLAUDE_CODE_TMPDIR: join(home, "claude-tmp"),
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

/** Every order of `k` commands: rounds take them in turn, so each command runs first, between and last alike. */
function orders(k: number): number[][] {
  if (k === 1) return [[0]];
  return orders(k - 1).flatMap((rest) => Array.from({ length: k }, (_, at) => [...rest.slice(0, at), k - 1, ...rest.slice(at)]));
}

/**
 * At least `rounds` rounds of the commands back to back, the order changing round by round and each
 * order taken as often as every other; each command's times, the first WARM_UP rounds not counted.
 */
async function interleaved(commands: readonly (readonly string[])[], rounds: number, expect?: string): Promise<number[][]> {
  const times: number[][] = commands.map(() => []);
  const all = orders(commands.length);
  const counted = Math.ceil(rounds / all.length) * all.length;
  for (let round = 0; round < WARM_UP + counted; round++) {
    const taken: number[] = [];
    for (const i of all[round % all.length] as number[]) taken[i] = await time(commands[i] as string[], expect);
    if (round >= WARM_UP) for (const [i, ms] of taken.entries()) times[i]?.push(ms);
  }
  return times;
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
  const pageCache = readFromDisk([CLAUDE, BIN, BARE, BARE_LAUNCHER]) ? "each binary read back from disk" : "binaries as found in memory";
  const printing = [
    [CLAUDE, "-p", "hi"],
    [CLAUDE, "-p", "hi"],
    [BIN, "-p", "hi"],
  ];
  const [claudePrint, claudeAgain, print] = (await interleaved(printing, PAIRS, MOCK_REPLY_TEXT)) as [number[], number[], number[]];
  const version = await interleaved(
    [
      [CLAUDE, "--version"],
      [BIN, "--", "--version"],
    ],
    PAIRS,
  );
  const floor = await interleaved(
    [
      [BARE_LAUNCHER, "--version"],
      [BIN, "--", "--version"],
    ],
    PAIRS,
  );
  const own = await interleaved([[BARE], [BIN, "--version"]], PAIRS);
  const status: number[] = [];
  for (let i = 0; i < PAIRS; i++) status.push(await time([BIN, "status", "--quiet"]));

  console.log(
    `iclaude launcher bench: ${PAIRS} pairs each (more where every order needs them), ${BIN}, claude ${CLAUDE}, ${pageCache}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const ratios = (base: number[], launched: number[]) => median(launched.map((ms, i) => ms / (base[i] as number)));
  const differences = (base: number[], launched: number[]) => median(launched.map((ms, i) => ms - (base[i] as number)));
  const signed = (ms: number): string => `${ms < 0 ? "" : "+"}${ms.toFixed(1)} ms`;
  console.log(
    `claude -p hi             median ${fmt(median(claudePrint))}  the same run again: median of pair ratios ${ratios(claudePrint, claudeAgain).toFixed(3)}× (the noise)`,
  );
  console.log(
    `iclaude -p hi            median ${fmt(median(print))}  median of pair ratios ${ratios(claudePrint, print).toFixed(3)}× (target ≤ 1.02×), differences ${signed(differences(claudePrint, print))}`,
  );
  const [claudeVersion, launchedVersion] = version as [number[], number[]];
  console.log(`claude --version         median ${fmt(median(claudeVersion))}`);
  console.log(
    `iclaude -- --version     median ${fmt(median(launchedVersion))}  median of pair differences ${signed(differences(claudeVersion, launchedVersion))} (target ≤ 15 ms)`,
  );
  const [bareLauncher, overBare] = floor as [number[], number[]];
  console.log(
    `bare Bun launcher        median ${fmt(median(bareLauncher))}  (${signed(median(bareLauncher) - median(claudeVersion))} over claude --version, medians)`,
  );
  console.log(`iclaude -- --version     median ${fmt(median(overBare))}  median of pair differences ${signed(differences(bareLauncher, overBare))}`);
  const [bare, ownVersion] = own as [number[], number[]];
  console.log(`bare Bun program         median ${fmt(median(bare))}`);
  console.log(`iclaude --version        median ${fmt(median(ownVersion))}  median of pair differences ${signed(differences(bare, ownVersion))}`);
  console.log(`iclaude status           median ${fmt(median(status))}`);
} finally {
  await mock.stop();
  rmSync(home, { recursive: true, force: true });
}
