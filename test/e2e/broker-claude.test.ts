import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allFileTexts, type BrokerProcess, spawnTracked, startBroker } from "../fixtures/broker.ts";
import { CLAUDE_BIN, claudeEnv, runClaude } from "../fixtures/claude-home.ts";
import { MOCK_REPLY_TEXT, type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, HOUR, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/**
 * The real Claude Code inside a "box": a HOME of its own that has never seen a
 * login, CLAUDE_CONFIG_DIR at the dir `broker sync` keeps, against the
 * loopback Messages API. The host's refresh token never leaves the host.
 */

let mock: MockAnthropic;
let host: string;
let broker: BrokerProcess;
let hostEnv: Record<string, string>;
beforeAll(async () => {
  mock = startMockAnthropic();
  host = tempHome("iclaude-host-");
  writeCredentials(host, { ...mock.issuePair(), expiresAt: Date.now() + 5 * HOUR });
  hostEnv = { ICLAUDE_TOKEN_URL: mock.tokenUrl, XDG_RUNTIME_DIR: join(host, "run") };
  broker = await startBroker(host, [], hostEnv);
});
afterAll(async () => {
  await broker.stop();
  await mock.stop();
});

const hostToken = (): string => JSON.parse(readFileSync(join(host, ".claude", ".credentials.json"), "utf8")).claudeAiOauth.accessToken;

function box() {
  const home = tempHome("iclaude-box-");
  const configDir = join(home, "claude-config");
  const credentialsPath = join(configDir, ".credentials.json");
  const env = { ...claudeEnv({ home, configDir, credentialsPath, cleanup: async () => {} }, mock), CLAUDE_CONFIG_DIR: configDir };
  return { home, configDir, credentialsPath, env };
}

/** Whether any process still belongs to the session `sid` (field 6 of /proc/<pid>/stat). */
const sessionRuns = (sid: number): boolean =>
  readdirSync("/proc").some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]) === sid;
    } catch {
      return false;
    }
  });

const noRefreshTokenIn = (dir: string): void => {
  for (const text of allFileTexts(dir)) expect(text).not.toContain("sk-ant-ort01");
};

describe("the real Claude Code in a box fed by the broker", () => {
  test("answers -p from a fresh HOME with only what `broker sync --once` wrote", async () => {
    const b = box();
    expect((await runBin(["broker", "sync", "--once", "--broker", broker.socket, "--to", b.configDir], { home: b.home })).code).toBe(0);
    const run = await runClaude(["-p", "hi"], { env: b.env });
    expect(run).toMatchObject({ stdout: `${MOCK_REPLY_TEXT}\n`, exitCode: 0 });
    expect(mock.messages.at(-1)).toMatchObject({ authorization: `Bearer ${hostToken()}`, status: 200 });
    noRefreshTokenIn(b.home);
  });

  test("with ICLAUDE_BROKER set, `iclaude -p` syncs first and runs claude, as on the host", async () => {
    const b = box();
    const run = await runBin(["-p", "hi"], { home: b.home, env: { ...b.env, ICLAUDE_BROKER: broker.socket, ICLAUDE_CLAUDE_BIN: CLAUDE_BIN } });
    expect([run.code, run.stdout, run.stderr]).toEqual([0, `${MOCK_REPLY_TEXT}\n`, ""]);
    expect(JSON.parse(readFileSync(b.credentialsPath, "utf8")).claudeAiOauth.accessToken).toBe(hostToken());
    noRefreshTokenIn(b.home);
  });

  test("an interactive claude in a fresh box, started by `ICLAUDE_BROKER=… iclaude`, shows no onboarding or login screen", async () => {
    const b = box();
    const env = { ...b.env, TERM: "xterm-256color", ICLAUDE_BROKER: broker.socket, ICLAUDE_CLAUDE_BIN: CLAUDE_BIN };
    // A pane whose command exits stays on the screen with its last words and exit status, for the failure message.
    const conf = join(b.home, "tmux.conf");
    writeFileSync(conf, "set -g remain-on-exit on\n");
    const tmux = (...args: string[]) =>
      Bun.spawnSync(["tmux", "-f", conf, "-S", join(b.home, "tmux.sock"), ...args], { env, timeout: 10_000 }).stdout.toString();
    const pane = () => tmux("capture-pane", "-p");
    const until = (text: string | RegExp, ms = 20_000) =>
      waitFor(
        () => (typeof text === "string" ? pane().includes(text) : text.test(pane())),
        ms,
        () => `${text} on the screen; the pane shows:\n${pane()}`,
      );
    tmux("new-session", "-d", "-x", "100", "-y", "30", "-c", b.home, `'${BIN}'`);
    // The pane's sessions: iclaude and claude, until all have exited.
    const sessions = [Number(tmux("display-message", "-p", "#{pane_pid}"))];
    try {
      // The folder-trust question is Claude Code's own safety check, asked before anything else once onboarding is done.
      // The first screen waits for the sync and claude's start, which a loaded machine can stretch.
      await until("Yes, I trust this folder", 40_000);
      expect(pane()).not.toContain("Unable to connect");
      // Its default answer differs by version (2.1.332: "No, exit" in a home folder): Yes is chosen explicitly.
      // The dialog may draw before it reads keys, and may draw again with its default: Yes is chosen and
      // confirmed again until the prompt's footer (2.1.197's shortcut hint, 2.1.332's permission mode) shows.
      const onYes = () => /❯ Yes, I trust this folder/.test(pane());
      const atPrompt = () => /\? for shortcuts|shift\+tab to cycle/.test(pane());
      // A redraw between seeing Yes and the Enter confirms "No, exit": claude says it did not start, and the pane is
      // started again at once (tmux can take a minute to mark the pane dead, its process exited).
      const dead = () => /Pane is dead|didn't start because this folder isn't trusted/.test(pane());
      for (let tries = 0; !atPrompt(); tries++) {
        if (tries === 10) throw new Error(`the trust dialog never let claude start; the pane shows:\n${pane()}`);
        if (dead()) {
          tmux("respawn-pane", "-k");
          sessions.push(Number(tmux("display-message", "-p", "#{pane_pid}")));
          await waitFor(() => !dead() && /❯ (Yes|No)/.test(pane()), 40_000).catch(() => {});
          continue;
        }
        const [key, next] = onYes() ? ["Enter", atPrompt] : ["Down", onYes];
        tmux("send-keys", key);
        await waitFor(() => next() || dead(), 3_000).catch(() => {});
      }
      expect(pane()).not.toMatch(/\/login|Select login method|Choose the text style/);
      tmux("send-keys", "hi", "Enter");
      await until(MOCK_REPLY_TEXT);
      expect(mock.messages.at(-1)?.authorization).toBe(`Bearer ${hostToken()}`);
    } finally {
      tmux("kill-server");
      // Claude Code removes its session file as it exits: the box is read once nothing in it runs.
      await waitFor(() => !sessions.some(sessionRuns), 10_000);
    }
    noRefreshTokenIn(b.home);
  }, 90_000);

  test("a long-running claude keeps working across a host refresh", async () => {
    const b = box();
    const sync = spawnTracked(["broker", "sync", "--interval", "1s", "--to", b.configDir], b.home, { ...b.env, ICLAUDE_BROKER: broker.socket });
    const before = hostToken();
    await waitFor(() => existsSync(b.credentialsPath));
    // One claude process, fed a message at a time: it stays up between them.
    const claude = Bun.spawn([CLAUDE_BIN, "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose"], {
      cwd: b.home,
      env: b.env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      timeout: 50_000,
      killSignal: "SIGKILL",
    });
    const lines = claude.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let pending = "";
    const nextResult = async (): Promise<Record<string, unknown>> => {
      for (;;) {
        const newline = pending.indexOf("\n");
        if (newline >= 0) {
          const line = JSON.parse(pending.slice(0, newline)) as Record<string, unknown>;
          pending = pending.slice(newline + 1);
          if (line.type === "result") return line;
          continue;
        }
        const { value, done } = await lines.read();
        if (done) throw new Error("claude exited before answering");
        pending += value;
      }
    };
    const say = (text: string) => {
      claude.stdin.write(`${JSON.stringify({ type: "user", message: { role: "user", content: text } })}\n`);
      claude.stdin.flush();
    };
    say("one");
    expect(await nextResult()).toMatchObject({ is_error: false, result: MOCK_REPLY_TEXT });
    expect(mock.messages.at(-1)?.authorization).toBe(`Bearer ${before}`);

    expect((await runBin(["refresh", "--force"], { home: host, env: hostEnv })).code).toBe(0);
    const after = hostToken();
    await waitFor(() => JSON.parse(readFileSync(b.credentialsPath, "utf8")).claudeAiOauth.accessToken === after);
    // The old token now fails, as an expired one would: only the synced one can answer.
    mock.revokeAccess(before);
    say("two");
    expect(await nextResult()).toMatchObject({ is_error: false, result: MOCK_REPLY_TEXT });
    expect(mock.messages.at(-1)).toMatchObject({ authorization: `Bearer ${after}`, status: 200 });

    claude.stdin.end();
    expect(await claude.exited).toBe(0);
    sync.kill("SIGTERM");
    expect(await sync.exited).toBe(0);
    noRefreshTokenIn(b.home);
    expect(broker.log()).not.toContain("sk-ant-ort01");
  }, 60_000);
});
