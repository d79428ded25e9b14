import { afterEach, beforeEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { ROOT, runBin, startBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/*
 * Beside a writer that saves Claude Code's credentials in place under its storage-write lock (a
 * real child process, test/fixtures/storage-writer.ts), a file read empty or cut short is one being
 * written: iclaude reads it again under that lock, and never asks for a new login because of it.
 */

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

/** The writer as a child whose stdout lines are collected as they come. */
function startWriter(dir: string, mode: "step" | "loop") {
  const proc = Bun.spawn([process.execPath, join(ROOT, "test/fixtures/storage-writer.ts"), dir, mode], {
    cwd: ROOT,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  let out = "";
  void (async () => {
    for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
  })();
  return { proc, out: () => out, say: () => proc.stdin.write("\n") };
}

test("a file emptied by a writer holding the storage lock is read again under the lock, and refreshed", async () => {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair });
  const writer = startWriter(join(home, ".claude"), "step");
  writer.say();
  await waitFor(() => writer.out() === "empty\n");
  const run = startBin(["refresh", "--force"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_DEBUG: "1" } });
  await waitFor(() => run.stderr().includes("Claude Code is writing its credentials (its storage lock is held)"));
  writer.say();
  const done = await run.done;
  expect(done.stderr).not.toContain("log in");
  expect(done.code).toBe(0);
  expect(done.stdout).toStartWith("refreshed");
  const oauth = JSON.parse(readFileSync(join(home, ".claude/.credentials.json"), "utf8")).claudeAiOauth;
  expect(oauth.refreshToken).not.toBe(pair.refreshToken);
});

test("60 forced refreshes beside a writer saving in place all the while: none is told to log in again", async () => {
  const home = tempHome();
  writeCredentials(home, { ...mock.issuePair() });
  const writer = startWriter(join(home, ".claude"), "loop");
  await waitFor(() => writer.out().includes("saved"));
  const codes: number[] = [];
  for (let i = 0; i < 60; i++) {
    const run = await runBin(["refresh", "--force"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(run.stderr).not.toContain("not valid JSON");
    codes.push(run.code);
  }
  expect(codes.filter((code) => code !== 0)).toEqual([]);
});
