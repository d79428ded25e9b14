import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLAUDE_VERSIONS, type ClaudeHome, claudeEnv, interceptAnthropicTls, makeClaudeHome, runClaude } from "../fixtures/claude-home.ts";
import { EXPIRED_TOKEN_MESSAGE, MOCK_REPLY_TEXT, type MockAnthropic, startMockAnthropic, type TokenPair } from "../fixtures/mock-anthropic.ts";
import { BIN, expectNoSecrets, waitFor } from "../helpers.ts";

const AUTH_FAILURE = `Failed to authenticate. API Error: 401 ${EXPIRED_TOKEN_MESSAGE}\n`;
const RETRIED = "iclaude: claude's login was refused; iclaude refreshed it and is running claude once more.\n";
const LONG_LIVED_RETRY = "iclaude: claude's login was refused; iclaude is running claude once more with the stored long-lived token.\n";

/** The real claude takes a second or two per run, 2.5 s more when it meets a 401. */
const SLOW = 30_000;

let mock: MockAnthropic;
let home: ClaudeHome | undefined;

beforeEach(() => {
  mock = startMockAnthropic();
});

afterEach(async () => {
  await mock.stop();
  await home?.cleanup();
  home = undefined;
});

interface Launch {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real claude behind iclaude, against the mock, with claude's own refresh cut off (claudeEnv's dead proxy). */
async function launch(bin: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Launch> {
  if (!home) throw new Error("no home");
  const env = { ...claudeEnv(home, mock), ICLAUDE_CLAUDE_BIN: bin, ICLAUDE_TOKEN_URL: mock.tokenUrl, ...options.env };
  const proc = Bun.spawn([BIN, ...args], {
    cwd: home.home,
    env,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
    timeout: 45_000,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const stored = (): { accessToken: string; refreshToken: string } => JSON.parse(readFileSync(home?.credentialsPath ?? "", "utf8")).claudeAiOauth;
const secretsOf = (...pairs: TokenPair[]): string[] => pairs.flatMap((p) => [p.accessToken, p.refreshToken]);
const streamJson = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

for (const claude of CLAUDE_VERSIONS)
  describe(`iclaude running the real Claude Code ${claude.version}`, () => {
    test(
      "a token 30 minutes from expiry is refreshed before claude starts, and claude sends the new one",
      async () => {
        const pair = mock.issuePair();
        home = await makeClaudeHome(mock, { ...pair, expiresAt: Date.now() + 30 * 60_000 });
        const run = await launch(claude.bin, ["-p", "hi"]);
        expect(run).toEqual({ code: 0, stdout: `${MOCK_REPLY_TEXT}\n`, stderr: "" });
        expect(mock.redeemed).toEqual([pair.refreshToken]);
        const now = stored();
        expect(now.accessToken).not.toBe(pair.accessToken);
        expect(mock.messages.map((m) => m.authorization)).toEqual([`Bearer ${now.accessToken}`]);
        expectNoSecrets([run.stdout, run.stderr], [...secretsOf(pair), now.accessToken, now.refreshToken]);
      },
      SLOW,
    );

    test(
      "a revoked token with hours left: the 401 is recognised, one refresh, one retry, only the answer on stdout",
      async () => {
        const pair = mock.issuePair();
        mock.revokeAccess(pair.accessToken);
        home = await makeClaudeHome(mock, pair);
        const run = await launch(claude.bin, ["-p"], { stdin: "a question on stdin" });
        expect(run).toEqual({ code: 0, stdout: `${MOCK_REPLY_TEXT}\n`, stderr: RETRIED });
        expect(mock.redeemed).toEqual([pair.refreshToken]);
        const last = mock.messages.at(-1);
        expect(last?.authorization).toBe(`Bearer ${stored().accessToken}`);
        expect(JSON.stringify(last?.body)).toContain("a question on stdin");
        expectNoSecrets([run.stdout, run.stderr], [...secretsOf(pair), stored().accessToken, stored().refreshToken]);
      },
      SLOW,
    );

    test(
      "stream-json: a good run streams claude's lines unchanged; a retried run carries only the retry's lines",
      async () => {
        const pair = mock.issuePair();
        home = await makeClaudeHome(mock, pair);
        const args = ["-p", "hi", "--output-format", "stream-json", "--verbose"];
        const [direct, good] = [await runClaude(args, { env: claudeEnv(home, mock), bin: claude.bin }), await launch(claude.bin, args)];
        const shape = (stdout: string) => streamJson(stdout).map((l) => `${l.type}/${l.subtype ?? ""}`);
        expect(good.code).toBe(0);
        expect(shape(good.stdout)).toEqual(shape(direct.stdout));

        mock.revokeAccess(pair.accessToken);
        const retried = await launch(claude.bin, args);
        expect(retried.code).toBe(0);
        expect(retried.stderr).toBe(RETRIED);
        const lines = streamJson(retried.stdout);
        expect(shape(retried.stdout)).toEqual(shape(direct.stdout));
        expect(lines.filter((l) => l.subtype === "init")).toHaveLength(1);
        expect(lines.at(-1)).toMatchObject({ type: "result", is_error: false, result: MOCK_REPLY_TEXT });
        expect(retried.stdout).not.toContain("authentication_failed");
      },
      SLOW,
    );

    test(
      "a dead refresh token: claude's 401 is reported, nothing is retried, exit non-zero with one clear line",
      async () => {
        const pair = mock.issuePair();
        mock.revokeAccess(pair.accessToken);
        mock.killRefresh(pair.refreshToken);
        home = await makeClaudeHome(mock, pair);
        const run = await launch(claude.bin, ["-p", "hi"]);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe(AUTH_FAILURE);
        expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
        expect(run.stderr).toMatch(/^iclaude: claude's login was refused, and iclaude could not renew it: .*invalid_grant.*claude \/login/);
        expect(mock.requests).toHaveLength(1);
        expect(mock.redeemed).toHaveLength(0);
        // Claude asks twice by itself before giving up; a retry by iclaude would have made it four.
        expect(mock.messages).toHaveLength(2);
        expect(stored()).toMatchObject(pair);
        expectNoSecrets([run.stdout, run.stderr], secretsOf(pair));
      },
      SLOW,
    );

    test(
      "its own refresh answered invalid_grant: claude blanks its file, and the retry runs it with the stored long-lived token",
      async () => {
        const interceptor = await interceptAnthropicTls(mock);
        try {
          const pair = mock.issuePair();
          mock.revokeAccess(pair.accessToken);
          mock.killRefresh(pair.refreshToken);
          home = await makeClaudeHome(mock, pair);
          const longLived = mock.issuePair().accessToken;
          const state = join(home.home, ".local", "state", "iclaude");
          mkdirSync(state, { recursive: true });
          writeFileSync(
            join(state, "long-lived-token.json"),
            JSON.stringify({ token: longLived, expiresAt: Date.now() + 300 * 86400_000, createdAt: Date.now() }),
            { mode: 0o600 },
          );
          const run = await launch(claude.bin, ["-p", "hi"], { env: interceptor.env });
          expect(run).toEqual({ code: 0, stdout: `${MOCK_REPLY_TEXT}\n`, stderr: LONG_LIVED_RETRY });
          expect(interceptor.connects).toContain("platform.claude.com:443");
          expect(stored()).toMatchObject({ accessToken: "", refreshToken: "", expiresAt: 0 });
          expect(mock.messages.at(-1)?.authorization).toBe(`Bearer ${longLived}`);
          expectNoSecrets([run.stdout, run.stderr], [...secretsOf(pair), longLived]);
        } finally {
          await interceptor.stop();
        }
      },
      SLOW,
    );

    test(
      "rate limits are never retried",
      async () => {
        const pair = mock.issuePair();
        home = await makeClaudeHome(mock, pair);
        const limited = {
          status: 429,
          headers: { "x-should-retry": "false", "retry-after": "1" },
          json: { type: "error", error: { type: "rate_limit_error", message: "Rate limited." } },
        };
        mock.scriptMessages(limited, limited, limited);
        const run = await launch(claude.bin, ["-p", "hi"]);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain("API Error");
        expect(run.stderr).toBe("");
        expect(mock.requests).toHaveLength(0);
      },
      SLOW,
    );

    test(
      "`iclaude -- --no-such-flag` exits with claude's own code and words",
      async () => {
        home = await makeClaudeHome(mock, mock.issuePair());
        const direct = await runClaude(["--no-such-flag"], { env: claudeEnv(home, mock), bin: claude.bin });
        const run = await launch(claude.bin, ["--", "--no-such-flag"]);
        expect(direct.exitCode).not.toBe(0);
        expect(run).toEqual({ code: direct.exitCode, stdout: direct.stdout, stderr: direct.stderr });
      },
      SLOW,
    );

    test(
      "SIGTERM to iclaude ends claude",
      async () => {
        const pair = mock.issuePair();
        home = await makeClaudeHome(mock, pair);
        mock.scriptMessages({ delayMs: 30_000 });
        const env = { ...claudeEnv(home, mock), ICLAUDE_CLAUDE_BIN: claude.bin, ICLAUDE_TOKEN_URL: mock.tokenUrl };
        const proc = Bun.spawn([BIN, "-p", "hi"], { cwd: home.home, env, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 20_000 });
        await waitFor(() => mock.messages.length > 0);
        expect(mock.messages).toHaveLength(1);
        const children = readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, "utf8").trim().split(" ").map(Number);
        expect(children).toHaveLength(1);
        proc.kill("SIGTERM");
        const code = await proc.exited;
        expect(code).not.toBe(137);
        expect(code).toBeGreaterThan(0);
        await waitFor(() => !children.some((pid) => processAlive(pid)), 5_000, "claude to end after iclaude was stopped");
      },
      SLOW,
    );
  });

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
