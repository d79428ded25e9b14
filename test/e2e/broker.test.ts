import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import { allFileTexts, spawnTracked, startBroker } from "../fixtures/broker.ts";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, baseEnv, expectNoSecrets, fakeToken, HOUR, runBin, startBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const REFRESH_SHAPE = "sk-ant-ort01";

/** A host with a login that has `expiresIn` ms left, its broker's socket under its own XDG_RUNTIME_DIR. */
function host(expiresIn: number) {
  const home = tempHome("iclaude-host-");
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + expiresIn });
  const env = { ICLAUDE_TOKEN_URL: mock.tokenUrl, XDG_RUNTIME_DIR: join(home, "run") };
  return { home, pair, env, credentials: join(home, ".claude", ".credentials.json") };
}

const hostAccessToken = (path: string): string => JSON.parse(readFileSync(path, "utf8")).claudeAiOauth.accessToken;

/** One raw request line on the socket, and the one answer line. */
function ask(socket: string, line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket, () => conn.write(line));
    let buffer = "";
    conn.on("data", (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes("\n")) {
        conn.destroy();
        resolve(JSON.parse(buffer.slice(0, buffer.indexOf("\n"))));
      }
    });
    conn.on("error", reject);
  });
}

describe("iclaude broker serve", () => {
  test("hands out the access token with nothing due and no network, on a 0600 socket in a 0700 dir, removed on SIGTERM", async () => {
    const h = host(5 * HOUR);
    const broker = await startBroker(h.home, [], h.env);
    expect(broker.socket).toBe(join(h.home, "run", "iclaude", "broker.sock"));
    expect(statSync(broker.socket).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(broker.socket)).mode & 0o777).toBe(0o700);
    const sent = mock.requests.length;
    const answer = await ask(broker.socket, `${JSON.stringify({ v: 1, op: "token" })}\n`);
    expect(answer).toEqual({
      v: 1,
      ok: true,
      profile: join(h.home, ".claude"),
      accessToken: h.pair.accessToken,
      expiresAt: expect.any(Number),
      scopes: ["user:inference", "user:profile", "user:sessions:claude_code"],
      subscriptionType: "max",
    });
    expect(mock.requests.length).toBe(sent);
    expect(await broker.stop("SIGTERM")).toBe(0);
    expect(existsSync(broker.socket)).toBe(false);
    expect(broker.log()).toContain(`pid `);
    expectNoSecrets([broker.log()], [h.pair.accessToken, h.pair.refreshToken]);
  });

  test("20 concurrent `token --broker` clients on a due login: exactly one redemption, all get the same new token", async () => {
    const h = host(10 * 60_000);
    const broker = await startBroker(h.home, [], h.env);
    const box = tempHome("iclaude-box-");
    const runs = await Promise.all(Array.from({ length: 20 }, () => runBin(["token", "--broker", broker.socket], { home: box })));
    expect(await broker.stop()).toBe(0);
    const fresh = hostAccessToken(h.credentials);
    expect(fresh).not.toBe(h.pair.accessToken);
    expect(runs.map((r) => [r.code, r.stdout, r.stderr])).toEqual(Array(20).fill([0, `${fresh}\n`, ""]));
    expect(mock.redeemed.filter((t) => t === h.pair.refreshToken)).toHaveLength(1);
    expect(mock.requests.filter((r) => r.body?.refresh_token === h.pair.refreshToken)).toHaveLength(1);
    expect(broker.log()).not.toContain(REFRESH_SHAPE);
    expectNoSecrets([broker.log()], [fresh, h.pair.accessToken]);
  });

  test("a refresh the broker makes writes the host's next-check, as every refresh does", async () => {
    const h = host(10 * 60_000);
    const nextCheck = join(h.home, ".local", "state", "iclaude", "next-check");
    const broker = await startBroker(h.home, [], h.env);
    expect(existsSync(nextCheck)).toBe(false);
    const run = await runBin(["token", "--broker", broker.socket], { home: tempHome("iclaude-box-") });
    const fresh = hostAccessToken(h.credentials);
    expect([run.code, run.stdout]).toEqual([0, `${fresh}\n`]);
    expect(fresh).not.toBe(h.pair.accessToken);
    // The new token lives 8 hours: the shell hook looks again within the hour, not at the old token's due time.
    const next = Number(readFileSync(nextCheck, "utf8"));
    expect(next).toBeGreaterThan(Math.floor(Date.now() / 1000) + 50 * 60);
    expect(await broker.stop()).toBe(0);
    expectNoSecrets([readFileSync(nextCheck, "utf8"), broker.log()], [h.pair.refreshToken]);
  });

  test("SIGTERM during a refresh: the refresh finishes and is answered, then the broker removes its socket and exits 0", async () => {
    const h = host(10 * 60_000);
    const env = { ICLAUDE_TOKEN_URL: mock.tokenUrl };
    const broker = await startBroker(h.home, [], env);
    expect(broker.socket).toBe(join(h.home, ".local", "state", "iclaude", "broker", "broker.sock"));
    const sent = mock.requests.length;
    const answer = Promise.withResolvers<void>();
    mock.script({ hold: answer.promise });
    const client = runBin(["token", "--broker", broker.socket], { home: tempHome() });
    await waitFor(() => mock.requests.length > sent);
    const stopped = broker.stop("SIGTERM");
    answer.resolve();
    const run = await client;
    const fresh = hostAccessToken(h.credentials);
    expect(fresh).not.toBe(h.pair.accessToken);
    expect([run.code, run.stdout]).toEqual([0, `${fresh}\n`]);
    expect(await stopped).toBe(0);
    expect(existsSync(broker.socket)).toBe(false);
    expect(mock.redeemed).toContain(h.pair.refreshToken);
  });

  test("refuses to start on a socket a live broker holds, and takes over a dead broker's", async () => {
    const h = host(5 * HOUR);
    const first = await startBroker(h.home, [], h.env);
    const second = await runBin(["broker", "serve"], { home: h.home, env: h.env });
    expect(second.code).toBe(32);
    expect(second.stderr).toBe(`iclaude: Another broker is serving ${first.socket}; stop it first, or choose another --socket.\n`);
    expect(await first.stop("SIGKILL")).not.toBe(0);
    expect(existsSync(first.socket)).toBe(true);
    const third = await startBroker(h.home, [], h.env);
    expect((await runBin(["token", "--broker", third.socket], { home: tempHome() })).stdout).toBe(`${h.pair.accessToken}\n`);
    expect(await third.stop("SIGINT")).toBe(0);
  });

  test("refuses a socket dir other users can enter", async () => {
    const h = host(5 * HOUR);
    const open = join(h.home, "open");
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    const run = await runBin(["broker", "serve", "--socket", join(open, "b.sock")], { home: h.home, env: h.env });
    expect([run.code, run.stderr]).toEqual([
      32,
      `iclaude: The socket's dir ${open} can be entered by other users (mode 755); \`chmod 700\` it or choose another --socket.\n`,
    ]);
  });

  test("serves only the profiles it was given; a request for another, or not in protocol version 1, is refused", async () => {
    const h = host(5 * HOUR);
    const work = join(h.home, ".claude-work");
    const workPair = mock.issuePair();
    writeCredentials(h.home, { ...workPair, expiresAt: Date.now() + 5 * HOUR }, {}, work);
    const broker = await startBroker(h.home, ["--profile", join(h.home, ".claude"), "--profile", work], h.env);
    const box = tempHome("iclaude-box-");
    const asked = await runBin(["token", "--broker", broker.socket], { home: box, env: { ICLAUDE_BROKER_PROFILE: work } });
    expect(asked.stdout).toBe(`${workPair.accessToken}\n`);
    const other = await runBin(["token"], { home: box, env: { ICLAUDE_BROKER: broker.socket, ICLAUDE_BROKER_PROFILE: "/etc" } });
    expect([other.code, other.stdout]).toEqual([31, ""]);
    expect(other.stderr).toBe(`iclaude: The broker refused: This broker does not serve the profile "/etc"; it serves ${join(h.home, ".claude")}, ${work}.\n`);
    for (const line of ['{"v":2,"op":"token"}', '{"v":1,"op":"refresh"}', '{"v":1,"op":"token","refreshToken":"x"}', "not json"]) {
      expect(await ask(broker.socket, `${line}\n`)).toMatchObject({ v: 1, ok: false, code: "bad-request", exitCode: 31 });
    }
    expect(await broker.stop()).toBe(0);
  });

  test("a box's words reach the log as one quoted line: no forged line, no terminal control", async () => {
    const h = host(5 * HOUR);
    const broker = await startBroker(h.home, [], h.env);
    const forged = "/x)\niclaude: token for pid 1 uid 1000 gid 1000 (/root/.claude): valid 8h\u001b]0;pwned\u0007\u009b2J";
    const answer = await ask(broker.socket, `${JSON.stringify({ v: 1, op: "token", profile: forged })}\n`);
    expect(answer).toMatchObject({ ok: false, code: "unknown-profile" });
    expect(String(answer.error)).toContain('profile "/x)\\niclaude: token for pid 1');
    expect(await broker.stop()).toBe(0);
    expect(broker.log()).not.toMatch(/^iclaude: token for pid 1 /m);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: BEL, ESC and CSI are what must not reach the log raw
    expect(broker.log()).not.toMatch(/[\u0007\u001b\u009b]/);
  });

  test("idle connections past the broker's file descriptors, and 3,000 requests on one connection read late, cost nothing else", async () => {
    const h = host(5 * HOUR);
    const broker = await startBroker(h.home, [], h.env);
    expect(Bun.spawnSync(["prlimit", `--pid=${broker.pid}`, "--nofile=300:300"]).exitCode).toBe(0);
    const idle = await Promise.all(Array.from({ length: 400 }, () => Bun.connect({ unix: broker.socket, socket: { data() {} } }).catch(() => null)));
    const box = tempHome("iclaude-box-");
    const run = await runBin(["token", "--broker", broker.socket], { home: box });
    expect([run.code, run.stdout]).toEqual([0, `${h.pair.accessToken}\n`]);
    for (const conn of idle) conn?.end();

    let received = "";
    const conn = await Bun.connect({
      unix: broker.socket,
      socket: {
        data(_, chunk) {
          received += chunk.toString();
        },
      },
    });
    conn.pause();
    conn.write(`${JSON.stringify({ v: 1, op: "token" })}\n`.repeat(3000));
    // Not a wait for anything: a reader that is a second late, while the broker's answers back up.
    await Bun.sleep(1000);
    conn.resume();
    await waitFor(() => received.split("\n").length - 1 >= 3000, 20_000);
    conn.end();
    expect(
      received
        .split("\n")
        .slice(0, 3000)
        .every((line) => JSON.parse(line).accessToken === h.pair.accessToken),
    ).toBe(true);
    expect(await broker.stop()).toBe(0);
  }, 60_000);

  test("a log reader that has gone (stderr closed) costs the log, never the broker", async () => {
    const h = host(5 * HOUR);
    const socket = join(h.home, "run", "iclaude", "broker.sock");
    const proc = spawnTracked(["broker", "serve"], h.home, h.env);
    await proc.stderr.cancel();
    await waitFor(() => existsSync(socket), 10_000);
    const box = tempHome("iclaude-box-");
    for (let i = 0; i < 3; i++) {
      const run = await runBin(["token", "--broker", socket], { home: box });
      expect([run.code, run.stdout]).toEqual([0, `${h.pair.accessToken}\n`]);
    }
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });

  test("the host's long-lived token (setup-token) is never handed to a box: it would outlive it by months", async () => {
    const h = host(-HOUR);
    mock.killRefresh(h.pair.refreshToken);
    const longLived = fakeToken("oat01");
    const state = join(h.home, ".local", "state", "iclaude");
    mkdirSync(state, { recursive: true, mode: 0o700 });
    writeFileSync(join(state, "long-lived-token.json"), JSON.stringify({ token: longLived, expiresAt: Date.now() + 300 * 86400_000, createdAt: Date.now() }), {
      mode: 0o600,
    });
    const broker = await startBroker(h.home, [], h.env);
    const box = tempHome("iclaude-box-");
    const run = await runBin(["token", "--broker", broker.socket], { home: box });
    expect([run.code, run.stdout]).toEqual([20, ""]);
    expect(run.stderr).toBe(
      "iclaude: The broker on the host has no token to give: The host's Claude login is the long-lived token from `claude setup-token`, which the broker does not hand out (it lives up to a year); log in on the host with `claude /login`.\n",
    );
    const sync = await runBin(["broker", "sync", "--once", "--broker", broker.socket, "--to", join(box, ".claude")], { home: box });
    expect(sync.code).toBe(20);
    expect(existsSync(join(box, ".claude", ".credentials.json"))).toBe(false);
    expect(await broker.stop()).toBe(0);
    expectNoSecrets([run.stderr, sync.stdout, sync.stderr, broker.log(), ...allFileTexts(box)], [longLived]);
    // On the host itself the long-lived token still serves claude.
    expect((await runBin(["token"], { home: h.home, env: h.env })).stdout).toBe(`${longLived}\n`);
  });

  test("another user is refused by the socket's mode, and by its peer credentials when it gets past the mode", async () => {
    if (process.getuid?.() !== 0) {
      console.warn("skipped: the refusal of another uid needs root to run a client as uid 65534 (setpriv)");
      return;
    }
    const h = host(5 * HOUR);
    const broker = await startBroker(h.home, [], h.env);
    const box = tempHome("iclaude-box-");
    chmodSync(box, 0o777);
    const as = (caps: string[]) => {
      const argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...caps, BIN, "token", "--broker", broker.socket];
      const proc = Bun.spawn(argv, { cwd: box, env: baseEnv(box), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      return Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    };
    const [code, stdout, stderr] = await as([]);
    expect([code, stdout]).toEqual([31, ""]);
    expect(stderr).toBe(`iclaude: Permission denied on the broker socket ${broker.socket}: the broker serves only the user that runs it.\n`);
    // With CAP_DAC_OVERRIDE it can open the socket: the broker itself must say no.
    const [capCode, capOut, capErr] = await as(["--inh-caps=+dac_override", "--ambient-caps=+dac_override"]);
    expect([capCode, capOut]).toEqual([31, ""]);
    expect(capErr).toBe("iclaude: The broker refused: This broker serves only its own user; ask as that user.\n");
    expect(await broker.stop()).toBe(0);
    expect(broker.log()).toMatch(/not-allowed for pid \d+ uid 65534 gid 65534/);
    expectNoSecrets([stdout, stderr, capOut, capErr, broker.log()], [h.pair.accessToken, h.pair.refreshToken]);
  });

  test("broker gone: `token --broker` fails at once with its own exit code and one sentence", async () => {
    const box = tempHome("iclaude-box-");
    const missing = join(box, "nothing.sock");
    const none = await runBin(["token", "--broker", missing], { home: box });
    expect([none.code, none.stdout, none.stderr]).toEqual([
      30,
      "",
      `iclaude: No broker at ${missing}: the socket does not exist; start \`iclaude broker serve\` on the host and mount its socket dir.\n`,
    ]);
    const h = host(5 * HOUR);
    const broker = await startBroker(h.home, [], h.env);
    await broker.stop("SIGKILL");
    const dead = await runBin(["token"], { home: box, env: { ICLAUDE_BROKER: broker.socket } });
    expect([dead.code, dead.stdout, dead.stderr]).toEqual([
      30,
      "",
      `iclaude: The broker at ${broker.socket} is gone (nothing listens on the socket); start \`iclaude broker serve\` on the host and mount its socket dir.\n`,
    ]);
  });

  test("a login the host cannot renew reaches the box as refresh's exit code and sentence, with no token", async () => {
    const h = host(-HOUR);
    mock.killRefresh(h.pair.refreshToken);
    const broker = await startBroker(h.home, [], h.env);
    const run = await runBin(["token", "--broker", broker.socket], { home: tempHome() });
    expect([run.code, run.stdout]).toEqual([20, ""]);
    expect(run.stderr).toMatch(
      /^iclaude: The broker on the host has no token to give: Anthropic no longer accepts this login's refresh token \(invalid_grant\); .+\n$/,
    );
    expect(await broker.stop()).toBe(0);
  });
});

describe("iclaude broker sync", () => {
  test("--once writes the host's access token and no refresh token (0600), marks onboarding done, keeps other keys", async () => {
    const h = host(5 * HOUR);
    const broker = await startBroker(h.home, [], h.env);
    const box = tempHome("iclaude-box-");
    const dir = join(box, "config");
    mkdirSync(dir);
    // A copied host file, as people share logins today: sync never takes a refresh token away (it may be the host's own file).
    const copied = JSON.stringify({ claudeAiOauth: { accessToken: "old", refreshToken: fakeToken("ort01") }, mcpOAuth: { kept: true } });
    writeFileSync(join(dir, ".credentials.json"), copied);
    const refused = await runBin(["broker", "sync", "--broker", broker.socket, "--to", dir, "--once"], { home: box });
    expect([refused.code, refused.stdout]).toEqual([2, ""]);
    expect(refused.stderr).toBe(
      `iclaude: ${dir}/.credentials.json holds a login with a refresh token (the host's own, or a copy of it); broker sync never removes one — point --to at the box's own config dir, or move that file away in the box first.\n`,
    );
    expect(readFileSync(join(dir, ".credentials.json"), "utf8")).toBe(copied);
    const previous = JSON.stringify({ claudeAiOauth: { accessToken: "old" }, mcpOAuth: { kept: true } });
    writeFileSync(join(dir, ".credentials.json"), previous);
    const run = await runBin(["broker", "sync", "--broker", broker.socket, "--to", dir, "--once"], { home: box });
    expect(readFileSync(join(dir, ".credentials.json.bak"), "utf8")).toBe(previous);
    expect(statSync(join(dir, ".credentials.json.bak")).mode & 0o777).toBe(0o600);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toMatch(new RegExp(`^wrote ${dir}/\\.credentials\\.json — access token valid 4h 5\\dm, no refresh token\\n$`));
    const written = JSON.parse(readFileSync(join(dir, ".credentials.json"), "utf8"));
    expect(written).toEqual({
      claudeAiOauth: { accessToken: h.pair.accessToken, expiresAt: expect.any(Number), scopes: expect.any(Array), subscriptionType: "max" },
      mcpOAuth: { kept: true },
    });
    expect(statSync(join(dir, ".credentials.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, ".claude.json"), "utf8"))).toEqual({ hasCompletedOnboarding: true });
    const again = await runBin(["broker", "sync", "--once", "--to", dir], { home: box, env: { ICLAUDE_BROKER: broker.socket } });
    expect(again.stdout).toStartWith(`up to date: ${dir}/.credentials.json`);
    expect(await broker.stop()).toBe(0);
    for (const text of [...allFileTexts(box), broker.log(), refused.stderr, run.stdout, again.stdout]) expect(text).not.toContain(REFRESH_SHAPE);
  });

  test("keeps the box following the host: after a host refresh the synced file holds the new token", async () => {
    const h = host(5 * HOUR);
    const broker = await startBroker(h.home, [], h.env);
    const box = tempHome("iclaude-box-");
    const dir = join(box, ".claude");
    const proc = spawnTracked(["broker", "sync", "--interval", "1s"], box, { ICLAUDE_BROKER: broker.socket });
    const boxToken = () =>
      existsSync(join(dir, ".credentials.json")) ? JSON.parse(readFileSync(join(dir, ".credentials.json"), "utf8")).claudeAiOauth.accessToken : null;
    await waitFor(() => boxToken() === h.pair.accessToken);
    expect(JSON.parse(readFileSync(join(box, ".claude.json"), "utf8")).hasCompletedOnboarding).toBe(true);
    expect((await runBin(["refresh", "--force"], { home: h.home, env: h.env })).code).toBe(0);
    const fresh = hostAccessToken(h.credentials);
    await waitFor(() => boxToken() === fresh);
    proc.kill("SIGTERM");
    const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    expect([code, stdout]).toEqual([0, ""]);
    expect(await broker.stop()).toBe(0);
    for (const text of [...allFileTexts(box), broker.log(), stderr]) expect(text).not.toContain(REFRESH_SHAPE);
    expectNoSecrets([stderr, broker.log()], [fresh, h.pair.accessToken]);
  });

  test("a broker that goes away while sync runs is one warning; the file keeps the last token and follows the restarted broker", async () => {
    const h = host(5 * HOUR);
    let broker = await startBroker(h.home, [], h.env);
    const box = tempHome("iclaude-box-");
    const path = join(box, ".claude", ".credentials.json");
    const sync = startBin(["broker", "sync", "--interval", "1s", "--broker", broker.socket], { home: box, env: { ICLAUDE_DEBUG: "1" } });
    const boxToken = () => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")).claudeAiOauth.accessToken : null);
    await waitFor(() => boxToken() === h.pair.accessToken);
    expect(await broker.stop()).toBe(0);
    const stillGone = () => sync.stderr().split("the broker is still unreachable").length - 1;
    await waitFor(() => stillGone() >= 3);
    expect(boxToken()).toBe(h.pair.accessToken);
    expect((await runBin(["refresh", "--force"], { home: h.home, env: h.env })).code).toBe(0);
    broker = await startBroker(h.home, [], h.env);
    const fresh = hostAccessToken(h.credentials);
    await waitFor(() => boxToken() === fresh);
    sync.proc.kill("SIGTERM");
    const { code, stderr } = await sync.done;
    expect(code).toBe(0);
    expect(stderr.split("\n").filter((line) => line.includes("Keeping the last token"))).toHaveLength(1);
    expect(await broker.stop()).toBe(0);
    expectNoSecrets([stderr], [fresh, h.pair.accessToken, h.pair.refreshToken]);
  });

  test("broker gone: sync fails at once with exit 30", async () => {
    const box = tempHome("iclaude-box-");
    const run = await runBin(["broker", "sync", "--broker", join(box, "none.sock"), "--to", join(box, "c")], { home: box });
    expect([run.code, run.stdout]).toEqual([30, ""]);
    expect(existsSync(join(box, "c"))).toBe(false);
  });
});
