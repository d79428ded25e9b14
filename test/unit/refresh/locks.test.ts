import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { lock } from "proper-lockfile";
import { IclaudeError } from "../../../src/base/errors.ts";
import { withRefreshLock } from "../../../src/refresh/locks.ts";
import { ROOT, tempHome } from "../../helpers.ts";

function configDir(): { home: string; dir: string } {
  const home = tempHome();
  const dir = join(home, ".claude");
  mkdirSync(dir);
  return { home, dir };
}

/** Claude Code's first lock, taken exactly as it takes it. */
const claudeLock = (dir: string) => lock(dir, { lockfilePath: join(dir, ".oauth_refresh.lock"), realpath: false, stale: 10_000 });

describe("withRefreshLock", () => {
  test("holds both of Claude Code's locks while it runs and releases them after", async () => {
    const { home, dir } = configDir();
    const seen = await withRefreshLock({ claudeConfigDir: dir }, 1000, async () => [existsSync(join(dir, ".oauth_refresh.lock")), existsSync(`${dir}.lock`)]);
    expect(seen).toEqual([true, true]);
    expect(existsSync(join(dir, ".oauth_refresh.lock"))).toBe(false);
    expect(existsSync(join(home, ".claude.lock"))).toBe(false);
  });

  test("takes the legacy lock beside the real directory when the config dir is a link", async () => {
    const { home, dir } = configDir();
    const link = join(home, "linked-claude");
    symlinkSync(dir, link);
    const seen = await withRefreshLock({ claudeConfigDir: link }, 1000, async () => [existsSync(`${dir}.lock`), existsSync(`${link}.lock`)]);
    expect(seen).toEqual([true, false]);
  });

  test("waits for a holder and runs once it lets go", async () => {
    const { dir } = configDir();
    const release = await claudeLock(dir);
    expect(
      await withRefreshLock(
        { claudeConfigDir: dir },
        5000,
        async () => "ran",
        () => void release(),
      ),
    ).toBe("ran");
  });

  test("gives up with exit 23 when the lock is not had in time", async () => {
    const { dir } = configDir();
    const release = await claudeLock(dir);
    let ran = false;
    const error = await withRefreshLock({ claudeConfigDir: dir }, 300, async () => (ran = true)).catch((e: unknown) => e);
    await release();
    expect(error).toBeInstanceOf(IclaudeError);
    expect((error as IclaudeError).exitCode).toBe(23);
    expect(ran).toBe(false);
  });

  test("the legacy lock alone also keeps it out", async () => {
    const { dir } = configDir();
    const legacy = `${dir}.lock`;
    const release = await lock(legacy, { lockfilePath: legacy, realpath: false, stale: 10_000 });
    const error = await withRefreshLock({ claudeConfigDir: dir }, 300, async () => "ran").catch((e: unknown) => e);
    await release();
    expect((error as IclaudeError).exitCode).toBe(23);
    expect(existsSync(join(dir, ".oauth_refresh.lock"))).toBe(false);
  });

  test("creates a missing config dir first, as Claude Code does", async () => {
    const dir = join(tempHome(), "not-yet", ".claude");
    expect(await withRefreshLock({ claudeConfigDir: dir }, 1000, async () => existsSync(join(dir, ".oauth_refresh.lock")))).toBe(true);
  });

  test("releases the locks when the work throws", async () => {
    const { dir } = configDir();
    await withRefreshLock({ claudeConfigDir: dir }, 1000, async () => {
      throw new Error("boom");
    }).catch(() => {});
    expect(existsSync(join(dir, ".oauth_refresh.lock"))).toBe(false);
  });
});

describe("holdSignals", () => {
  test("a SIGINT, SIGTERM or SIGHUP while held is delivered only on release", async () => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      const script = `
        import { holdSignals } from ${JSON.stringify(join(ROOT, "src/refresh/locks.ts"))};
        const held = holdSignals();
        process.kill(process.pid, ${JSON.stringify(signal)});
        // An unheld signal would end the process within this pause; a held one lets it go on.
        await Bun.sleep(100);
        process.stdout.write("survived\\n");
        await held.release();
        process.stdout.write("not reached\\n");`;
      const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe", timeout: 10_000, killSignal: "SIGKILL" });
      const out = await new Response(proc.stdout).text();
      await proc.exited;
      expect(out).toBe("survived\n");
      expect(proc.signalCode).toBe(signal);
    }
  });
});
