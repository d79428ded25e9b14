import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, baseEnv, expectNoSecrets, runBin, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

/** A login due for a refresh, and a stand-in claude that only says it ran. */
function dueHome(): { home: string; env: Record<string, string>; secrets: string[] } {
  const home = tempHome("words-");
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
  const claude = join(home, "claude");
  writeFileSync(claude, "#!/bin/sh\necho ran\n", { mode: 0o755 });
  return { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ICLAUDE_CLAUDE_BIN: claude }, secrets: [pair.accessToken, pair.refreshToken] };
}

describe("what a failed or slow refresh says", () => {
  test("a failed refresh is told once; launches inside its cooldown start claude at once, saying nothing more", async () => {
    const h = dueHome();
    mock.script({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const first = await runBin(["-p", "hi"], { home: h.home, env: h.env });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("ran\n");
    expect(first.stderr).toMatch(
      /^iclaude: The refresh failed \(HTTP 503 after \d attempts?\); the old login was kept — check the network; the next try can be in 30s \(ICLAUDE_COOLDOWN\), or now with `iclaude refresh --force`\. Starting claude anyway\.\n$/,
    );
    const sent = mock.requests.length;
    for (let i = 0; i < 3; i++) {
      const again = await runBin(["-p", "hi"], { home: h.home, env: h.env });
      expect(again).toEqual({ code: 0, stdout: "ran\n", stderr: "" });
    }
    expect(mock.requests.length).toBe(sent);
    const refresh = await runBin(["refresh"], { home: h.home, env: h.env });
    expect(refresh.code).toBe(22);
    expect(refresh.stderr).toMatch(/^iclaude: A refresh failed moments ago; the next try is in \d+s \(ICLAUDE_COOLDOWN\)/);
    expectNoSecrets([first.stderr, refresh.stderr], h.secrets);
  });

  test("ICLAUDE_DEBUG=1 shows the endpoint, each attempt's HTTP status and the wait before the next, masked", async () => {
    const h = dueHome();
    mock.script({ status: 503 });
    const run = await runBin(["refresh"], { home: h.home, env: { ...h.env, ICLAUDE_DEBUG: "1" } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`iclaude[debug]: grant: attempt 1: POST ${mock.tokenUrl}\n`);
    expect(run.stderr).toMatch(/iclaude\[debug\]: grant: attempt 1: HTTP 503; next attempt in \d+\.\ds\n/);
    expect(run.stderr).toContain("iclaude[debug]: grant: attempt 2: answered with a new token pair\n");
    expectNoSecrets([run.stdout, run.stderr], h.secrets);
  });

  test("a slow endpoint gets one 'still waiting' line at a terminal, none in --json, --quiet or without a terminal", async () => {
    const h = dueHome();
    // Not spawnSync: the mock answers from this very process.
    const atTerminal = async (args: string): Promise<string> => {
      mock.script({ delayMs: 3_600 });
      const proc = Bun.spawn(["script", "-qec", `'${BIN}' ${args}`, "/dev/null"], {
        cwd: h.home,
        env: baseEnv(h.home, h.env),
        stdin: "ignore",
        stdout: "pipe",
      });
      const [out] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
      return out;
    };
    const shown = await atTerminal("refresh --force");
    expect(shown.split("still waiting for").length - 1).toBe(1);
    expect(shown).toContain(`still waiting for ${mock.tokenUrl} to answer…`);
    expect(shown).toContain("refreshed — access token valid");
    expect(await atTerminal("refresh --force --json")).not.toContain("still waiting");
    expect(await atTerminal("refresh --force --quiet")).not.toContain("still waiting");
    mock.script({ delayMs: 3_600 });
    const piped = await runBin(["refresh", "--force"], { home: h.home, env: h.env });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
  }, 30_000);
});
