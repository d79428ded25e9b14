/**
 * Preloaded by bun test (bunfig.toml): hooks here span the whole run, and a global beforeEach or
 * afterEach runs around every test of every file (afterEach after the file's own). bun test loads
 * test/helpers.ts once for every test file, so its clean-up belongs here, not in one file's afterAll.
 *
 * The per-test timeout is `--timeout` in scripts/test.ts: setDefaultTimeout here would reach only the
 * first file, and bunfig.toml has no key for it.
 */
import { afterAll, afterEach, beforeEach } from "bun:test";
import { removeClaudeTmpDir } from "./fixtures/claude-home.ts";
import { DELAY_SCALE, processesWith, removeTempHomes, tempHomesFrom } from "./helpers.ts";

// In-process tests of the retry and lock code wait as briefly as the binary's runs (see helpers.ts).
process.env.ICLAUDE_TEST_DELAY_SCALE = DELAY_SCALE;

/**
 * Every child a test starts is killed once its test is over, passed or failed, so nothing it left
 * running can act during the next test; so is every process that runs with a HOME the test made (a
 * detached background refresh, a tmux server), which no parent's exit shows. A child started outside
 * a test (a file's beforeAll) must be gone by the end of the run, or the run fails naming it.
 */
const spawn = Bun.spawn;
const ofTest = new Map<Bun.Subprocess, string>();
const ofFile = new Map<Bun.Subprocess, string>();
let inTest = false;

Bun.spawn = ((...args: Parameters<typeof Bun.spawn>) => {
  const proc = spawn(...args);
  const argv = Array.isArray(args[0]) ? args[0] : (args[0] as { cmd: string[] }).cmd;
  const owner = inTest ? ofTest : ofFile;
  owner.set(proc, argv.join(" "));
  void proc.exited.then(() => owner.delete(proc));
  return proc;
}) as typeof Bun.spawn;

let homesBefore = 0;

beforeEach(() => {
  inTest = true;
  homesBefore = tempHomesFrom().length;
});

afterEach(async () => {
  inTest = false;
  const left = [...ofTest.keys()];
  for (const proc of left) proc.kill("SIGKILL");
  await Promise.all(left.map((proc) => proc.exited));
  for (const home of tempHomesFrom(homesBefore)) for (const pid of processesWith("HOME", home)) killQuietly(pid);
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone meanwhile.
  }
}

afterAll(async () => {
  const left = [...ofFile];
  for (const [proc] of left) proc.kill("SIGKILL");
  await Promise.all(left.map(([proc]) => proc.exited));
  removeTempHomes();
  removeClaudeTmpDir();
  if (left.length > 0) throw new Error(`children started outside a test were still running at the end: ${left.map(([, argv]) => argv).join("; ")}`);
});
