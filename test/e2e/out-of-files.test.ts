import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startBroker } from "../fixtures/broker.ts";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { HOUR, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/** Out of file descriptors (`prlimit`), iclaude says so: never "check the network", never "log in again". */

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const OUT_OF_FILES = "too many open files (EMFILE: this process is at its open-file limit, `ulimit -n`)";

describe("out of file descriptors", () => {
  test("the broker answers that it ran out of file descriptors (exit 21), not that the host has no login", async () => {
    const home = tempHome("iclaude-host-");
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + 5 * HOUR });
    const broker = await startBroker(home, [], { ICLAUDE_TOKEN_URL: mock.tokenUrl, XDG_RUNTIME_DIR: join(home, "run") });
    const box = tempHome("iclaude-box-");
    expect((await runBin(["token", "--broker", broker.socket], { home: box })).stdout).toBe(`${pair.accessToken}\n`);
    // The answered connection is closed as the broker sees its end: counted before that, it would leave a
    // descriptor more. Its accepted end is listed in /proc/net/unix under the socket's path, connected (03).
    const accepted = () =>
      readFileSync("/proc/net/unix", "utf8")
        .split("\n")
        .filter((line) => line.endsWith(` ${broker.socket}`) && line.split(/\s+/)[5] === "03").length;
    await waitFor(() => accepted() === 0, 5_000, "the broker closed the first connection");
    // One descriptor left below the limit: the box's connection is accepted, then nothing more can be opened.
    const used = new Set(readdirSync(`/proc/${broker.pid}/fd`).map(Number));
    const free = Array.from({ length: used.size + 2 }, (_, fd) => fd).filter((fd) => !used.has(fd));
    expect(Bun.spawnSync(["prlimit", `--pid=${broker.pid}`, `--nofile=${free[1]}:${free[1]}`]).exitCode).toBe(0);
    const run = await runBin(["token", "--broker", broker.socket], { home: box, timeoutMs: 15_000 });
    expect([run.code, run.stdout]).toEqual([21, ""]);
    expect(run.stderr).toBe(
      `iclaude: The broker on the host has no token to give: iclaude ran out of file descriptors: ${OUT_OF_FILES}; nothing was changed — close some programs or raise the open-file limit, then try again.\n`,
    );
    expect(await broker.stop()).toBe(0);
  });

  test("`refresh --force` under every open-file limit from 6 to 24: refreshed, or the true sentence — and never cut short once a grant began", async () => {
    const home = tempHome();
    writeCredentials(home, { ...mock.issuePair(), expiresAt: Date.now() + 5 * HOUR });
    const runs = [];
    for (let limit = 6; limit <= 24; limit++) {
      const argv = (a: string[]) => ["prlimit", `--nofile=${limit}:${limit}`, ...a];
      runs.push({
        limit,
        ...(await runBin(["refresh", "--force"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_DEBUG: "1" }, argv, timeoutMs: 30_000 })),
      });
    }
    const said = (stderr: string) =>
      stderr
        .split("\n")
        .filter((line) => line.startsWith("iclaude: "))
        .join("\n");
    for (const run of runs) {
      if (run.code === 0) continue;
      // Too few for Bun itself to start: the run ends before any of iclaude's code, with nothing sent.
      if (!run.stderr.includes("iclaude[debug]") && said(run.stderr) === "") continue;
      expect({ limit: run.limit, code: run.code, said: said(run.stderr) }).toEqual({ limit: run.limit, code: 21, said: expect.stringContaining(OUT_OF_FILES) });
    }
    expect(runs.some((run) => said(run.stderr).startsWith(`iclaude: The refresh could not be sent: ${OUT_OF_FILES}; the old login was kept`))).toBe(true);
    expect(runs.some((run) => run.code === 0)).toBe(true);
    expect((await runBin(["status"], { home })).code).toBe(0);
  }, 60_000);
});
