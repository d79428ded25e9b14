/**
 * `npm test`: typecheck, build the binary the end-to-end tests drive, run the
 * whole bun:test suite, and end with one line `N passed, N failed`.
 */
const bun = process.execPath;

async function step(name: string, cmd: string[]): Promise<boolean> {
  const proc = Bun.spawn(cmd, { stdout: "inherit", stderr: "inherit" });
  const ok = (await proc.exited) === 0;
  if (!ok) console.error(`${name} failed`);
  return ok;
}

async function runTests(args: string[]): Promise<{ passed: number; failed: number; code: number }> {
  const proc = Bun.spawn([bun, "test", ...args], { stdout: "inherit", stderr: "pipe" });
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of proc.stderr) {
    process.stderr.write(chunk);
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
  }
  const code = await proc.exited;
  const count = (word: string): number => Number(new RegExp(`^\\s*(\\d+) ${word}$`, "m").exec(tail)?.[1] ?? 0);
  return { passed: count("pass"), failed: count("fail"), code };
}

const typecheck = await step("typecheck", [bun, "x", "tsc", "--noEmit", "-p", "."]);
const build = await step("build", [bun, "scripts/build.ts"]);
const tests = build ? await runTests(process.argv.slice(2)) : { passed: 0, failed: 0, code: 1 };
const failed = tests.failed + (typecheck ? 0 : 1) + (build ? 0 : 1) + (tests.code !== 0 && tests.failed === 0 ? 1 : 0);
console.log(`${tests.passed} passed, ${failed} failed`);
process.exit(failed === 0 && tests.passed > 0 ? 0 : 1);
