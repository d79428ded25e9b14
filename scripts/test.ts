/**
 * `npm test [-- FILE|DIR...]`: typecheck, lint and format check (Biome), build the binary the end-to-end tests drive, run the
 * bun:test suite (or the files and folders named), then name each failed test above one line
 * `N passed, N failed`.
 */
const bun = process.execPath;

async function step(name: string, cmd: string[]): Promise<boolean> {
  const proc = Bun.spawn(cmd, { stdout: "inherit", stderr: "inherit" });
  const ok = (await proc.exited) === 0;
  if (!ok) console.error(`${name} failed`);
  return ok;
}

/**
 * One timeout that every file gets: setDefaultTimeout in a preload reaches only the first file, and
 * bunfig.toml has no key for it. End-to-end tests start real shells, git, tmux and claude; on a busy
 * 2-core machine some take several seconds. A test slow by design says its own budget beside it.
 */
const TIMEOUT_MS = 60_000;

interface Outcome {
  passed: number;
  failed: number;
  code: number;
  names: string[];
}

/** One `bun test` run; its stderr goes to `out` as it comes (the terminal, or a buffer printed later). */
async function runTests(args: string[], out: (chunk: Uint8Array) => void): Promise<Outcome> {
  const proc = Bun.spawn([bun, "test", `--timeout=${TIMEOUT_MS}`, ...args], { stdout: "inherit", stderr: "pipe" });
  let tail = "";
  let pending = "";
  let file = "";
  // bun names each failed test where it ran, and again in its closing summary.
  const names = new Set<string>();
  const decoder = new TextDecoder();
  for await (const chunk of proc.stderr) {
    out(chunk);
    const text = decoder.decode(chunk, { stream: true });
    tail = (tail + text).slice(-4000);
    const lines = (pending + text).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (/^\S+\.test\.ts:$/.test(line)) file = line.slice(0, -1);
      else if (line.startsWith("(fail) ") && ![...names].some((name) => name.endsWith(`: ${line.slice(7)}`))) names.add(`${file}: ${line.slice(7)}`);
    }
  }
  const code = await proc.exited;
  const count = (word: string): number => Number(new RegExp(`^\\s*(\\d+) ${word}$`, "m").exec(tail)?.[1] ?? 0);
  return { passed: count("pass"), failed: count("fail"), code, names: [...names] };
}

/**
 * The release test spends most of its two minutes on downloads, npm and a local registry: in a whole
 * run it goes beside the rest of the suite, its output shown once the rest is done.
 */
const RELEASE = "test/e2e/release.test.ts";

async function runSuite(args: string[]): Promise<Outcome> {
  if (args.length > 0) return runTests(args, (chunk) => process.stderr.write(chunk));
  const held: Uint8Array[] = [];
  const [rest, release] = await Promise.all([
    runTests([`--path-ignore-patterns=${RELEASE}`], (chunk) => process.stderr.write(chunk)),
    runTests([RELEASE], (chunk) => held.push(chunk)),
  ]);
  for (const chunk of held) process.stderr.write(chunk);
  return {
    passed: rest.passed + release.passed,
    failed: rest.failed + release.failed,
    code: rest.code || release.code,
    names: [...rest.names, ...release.names],
  };
}

const typecheck = await step("typecheck", [bun, "x", "tsc", "--noEmit", "-p", "."]);
// Biome: the formatting and the lint rules of biome.json, checked without writing (`biome check --write .` fixes).
const lint = await step("lint", ["node_modules/.bin/biome", "ci", "--colors=off", "."]);
const build = await step("build", [bun, "scripts/build.ts"]);
const tests = build ? await runSuite(process.argv.slice(2)) : { passed: 0, failed: 0, code: 1, names: [] };
if (tests.names.length > 0) console.log(`\nfailed:\n${tests.names.map((name) => `  ${name}`).join("\n")}\n`);
const failed = tests.failed + (typecheck ? 0 : 1) + (lint ? 0 : 1) + (build ? 0 : 1) + (tests.code !== 0 && tests.failed === 0 ? 1 : 0);
console.log(`${tests.passed} passed, ${failed} failed`);
process.exit(failed === 0 && tests.passed > 0 ? 0 : 1);
