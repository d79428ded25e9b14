import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, baseEnv, DAY, expectNoSecrets, HOUR, ROOT, type Run, runBin, tempHome, writeCredentials } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

interface Login {
  dir: string;
  pair: { accessToken: string; refreshToken: string };
}

/** A home with a due login in ~/.claude and one in ~/.claude-work, the latter added as a profile. */
async function twoProfiles(expiresIn = { main: 10 * 60_000, work: 10 * 60_000 }): Promise<{ home: string; main: Login; work: Login; secrets: string[] }> {
  const home = tempHome();
  const login = (dir: string, ms: number): Login => {
    const pair = mock.issuePair();
    writeCredentials(home, { ...pair, expiresAt: Date.now() + ms }, {}, dir);
    return { dir, pair };
  };
  const main = login(join(home, ".claude"), expiresIn.main);
  const work = login(join(home, ".claude-work"), expiresIn.work);
  expect((await iclaude(home, ["profiles", "add", work.dir])).code).toBe(0);
  return { home, main, work, secrets: [main.pair.accessToken, main.pair.refreshToken, work.pair.accessToken, work.pair.refreshToken] };
}

const iclaude = (home: string, args: string[], env: Record<string, string> = {}): Promise<Run> =>
  runBin(args, { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl, ...env } });

const oauthIn = (dir: string) => JSON.parse(readFileSync(join(dir, ".credentials.json"), "utf8")).claudeAiOauth;
const timesRedeemed = (token: string): number => mock.redeemed.filter((t) => t === token).length;
const stateOf = (home: string) => join(home, ".local", "state", "iclaude");

function everythingWritten(home: string, runs: Run[]): string[] {
  const state = stateOf(home);
  return [...runs.flatMap((r) => [r.stdout, r.stderr]), ...readdirSync(state).map((n) => readFileSync(join(state, n), "utf8"))];
}

describe("iclaude profiles", () => {
  test("lists ~/.claude, adds a dir once, removes it; --json for scripts", async () => {
    const home = tempHome();
    writeCredentials(home);
    const work = join(home, "work");
    mkdirSync(work);
    expect((await iclaude(home, ["profiles"])).stdout).toBe(`${join(home, ".claude")} (default)\n`);
    expect((await iclaude(home, ["profiles", "add", "work"])).stdout).toBe(`added ${work}\n`);
    expect((await iclaude(home, ["profiles", "add", work])).stdout).toBe(`${work} is already a profile\n`);
    const listed = await iclaude(home, ["profiles", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([
      { dir: join(home, ".claude"), default: true, added: false },
      { dir: work, default: false, added: true },
    ]);
    expect((await iclaude(home, ["profiles", "remove", work])).stdout).toBe(`removed ${work}\n`);
    expect((await iclaude(home, ["profiles"])).stdout).toBe(`${join(home, ".claude")} (default)\n`);
  });

  test("bad input: one sentence, exit 2, nothing written", async () => {
    const home = tempHome();
    for (const args of [
      ["profiles", "add", join(home, "nope")],
      ["profiles", "remove", join(home, "nope")],
      ["profiles", "add"],
      ["profiles", "frob"],
    ]) {
      const run = await iclaude(home, args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^iclaude: [^\n]+\.\n$/);
    }
    expect(readdirSync(home).includes(".config")).toBe(false);
  });

  test("a CLAUDE_CONFIG_DIR run at a terminal is offered once, and added only on yes", async () => {
    const home = tempHome();
    const work = join(home, ".claude-work");
    writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR }, {}, work);
    const env = baseEnv(home, { CLAUDE_CONFIG_DIR: work, ICLAUDE_TOKEN_URL: mock.tokenUrl });
    const atTerminal = (answer: string) => {
      const proc = Bun.spawnSync(["script", "-qec", `'${BIN}' refresh`, "/dev/null"], {
        cwd: home,
        env,
        stdin: new TextEncoder().encode(answer),
        timeout: 20_000,
      });
      return proc.stdout.toString().replace(/\r/g, "");
    };
    expect((await runBin(["refresh"], { home, env: { CLAUDE_CONFIG_DIR: work } })).stdout).not.toContain("profiles");
    const first = atTerminal("y\n");
    expect(first).toContain(`Add ${work} (CLAUDE_CONFIG_DIR) to the profiles? [Y/n]`);
    expect(first).toContain(`added ${work}`);
    expect(atTerminal("y\n")).not.toContain("Add ");
    expect((await iclaude(home, ["profiles"])).stdout).toContain(`${work}\n`);
  });

  test("the launcher at a terminal asks the same once; a no adds nothing and claude still starts", () => {
    const home = tempHome();
    const work = join(home, "work");
    writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR }, {}, work);
    const env = baseEnv(home, { CLAUDE_CONFIG_DIR: work, ICLAUDE_CLAUDE_BIN: join(ROOT, "test/fixtures/fake-claude-launch/claude"), FAKE_MODE: "args" });
    const launch = () =>
      Bun.spawnSync(["script", "-qec", `'${BIN}' -- x`, "/dev/null"], { cwd: home, env, stdin: new TextEncoder().encode("n\n"), timeout: 20_000 })
        .stdout.toString()
        .replace(/\r/g, "");
    const first = launch();
    expect(first).toContain(`Add ${work} (CLAUDE_CONFIG_DIR) to the profiles? [Y/n]`);
    expect(first).toContain("[x]\n");
    expect(readdirSync(home)).not.toContain(".config");
    const second = launch();
    expect(second).not.toContain("Add ");
    expect(second).toContain("[x]\n");
  });
});

describe("refresh --all and status --all", () => {
  test("two profiles due: each refresh token is redeemed exactly once, each in its own dir", async () => {
    const { home, main, work, secrets } = await twoProfiles();
    const run = await iclaude(home, ["refresh", "--all"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${main.dir}: refreshed — access token valid .+\\n${work.dir}: refreshed — access token valid .+\\n$`));
    expect([timesRedeemed(main.pair.refreshToken), timesRedeemed(work.pair.refreshToken)]).toEqual([1, 1]);
    const [newMain, newWork] = [oauthIn(main.dir), oauthIn(work.dir)];
    expect(mock.isAccessValid(newMain.accessToken) && mock.isAccessValid(newWork.accessToken)).toBe(true);
    expect(newMain.refreshToken).not.toBe(newWork.refreshToken);
    const again = await iclaude(home, ["refresh", "--all"]);
    expect(again.stdout).toMatch(/: nothing due — .+\n.+: nothing due — /);
    expect([timesRedeemed(newMain.refreshToken), timesRedeemed(newWork.refreshToken)]).toEqual([0, 0]);
    expectNoSecrets(everythingWritten(home, [run, again]), [...secrets, newMain.accessToken, newMain.refreshToken, newWork.accessToken, newWork.refreshToken]);
  });

  test("a profile dir every user can write to is still refreshed, and said: on stderr, or in the state log for a background run", async () => {
    const { home, main, work, secrets } = await twoProfiles();
    chmodSync(work.dir, 0o777);
    const warning = `iclaude: ${work.dir} can be written by every user (mode 777), who could replace the credentials in it; run chmod o-w '${work.dir}'.\n`;
    const run = await iclaude(home, ["refresh", "--all"]);
    expect([run.code, run.stderr]).toEqual([0, warning]);
    expect([timesRedeemed(main.pair.refreshToken), timesRedeemed(work.pair.refreshToken)]).toEqual([1, 1]);
    const background = await iclaude(home, ["refresh", "--background", "--all"]);
    expect([background.code, background.stdout, background.stderr]).toEqual([0, "", ""]);
    expect(readFileSync(join(stateOf(home), "iclaude.log"), "utf8")).toContain(`refresh ${work.dir}: ${warning.slice("iclaude: ".length, -1)}`);
    chmodSync(work.dir, 0o700);
    expect((await iclaude(home, ["refresh", "--all"])).stderr).toBe("");
    expectNoSecrets(everythingWritten(home, [run, background]), secrets);
  });

  test("a dead refresh token in one profile does not stop the other; the exit code is the worst", async () => {
    const { home, main, work, secrets } = await twoProfiles();
    mock.killRefresh(main.pair.refreshToken);
    const before = readFileSync(join(main.dir, ".credentials.json"), "utf8");
    const run = await iclaude(home, ["refresh", "--all"]);
    expect(run.code).toBe(20);
    expect(run.stdout).toContain(`${main.dir}: failed (exit 20) Anthropic no longer accepts this login's refresh token (invalid_grant)`);
    expect(run.stdout).toMatch(new RegExp(`\\n${work.dir}: refreshed — `));
    expect(run.stderr).toBe("");
    expect(readFileSync(join(main.dir, ".credentials.json"), "utf8")).toBe(before);
    expect(timesRedeemed(work.pair.refreshToken)).toBe(1);
    const json = await iclaude(home, ["refresh", "--all", "--json"]);
    expect(json.code).toBe(20);
    expect(JSON.parse(json.stdout).map((r: Record<string, unknown>) => [r.dir, r.outcome, r.exitCode])).toEqual([
      [main.dir, "failed", 20],
      [work.dir, "not-due", 0],
    ]);
    expectNoSecrets(everythingWritten(home, [run, json]), [...secrets, oauthIn(work.dir).accessToken, oauthIn(work.dir).refreshToken]);
  });

  test("status --all --json: one object per profile with its dir and path; the exit code is the most urgent", async () => {
    const home = tempHome();
    const work = join(home, ".claude-work");
    const main = writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR });
    const other = writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR, refreshTokenExpiresAt: Date.now() + 3 * DAY + HOUR }, {}, work);
    await iclaude(home, ["profiles", "add", work]);
    const run = await iclaude(home, ["status", "--all", "--json"]);
    expect(run.code).toBe(11);
    const objects = JSON.parse(run.stdout);
    expect(objects.map((o: Record<string, unknown>) => [o.dir, o.path, o.status, o.store])).toEqual([
      [join(home, ".claude"), join(home, ".claude", ".credentials.json"), "valid", "file"],
      [work, join(work, ".credentials.json"), "login-expiring", "file"],
    ]);
    const lines = await iclaude(home, ["status", "--all"]);
    expect(lines.code).toBe(11);
    expect(lines.stdout).toMatch(
      new RegExp(`^${join(home, ".claude")}: valid — .+\\n${work}: login expiring — .+login ends in 3 days.+\\n  log in again with \`claude /login\`.+\\n$`),
    );
    const secrets = [main, other].flatMap((c) =>
      Object.values(c.claudeAiOauth as Record<string, unknown>).filter((v): v is string => typeof v === "string" && v.startsWith("sk-")),
    );
    expectNoSecrets([run.stdout, run.stderr, lines.stdout, lines.stderr], secrets);
  });

  test("--background --all prints nothing, logs a line per profile, and next-check is the earliest of them", async () => {
    const { home, main, work, secrets } = await twoProfiles({ main: 8 * HOUR, work: 90 * 60_000 });
    const run = await iclaude(home, ["refresh", "--background", "--all"]);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, "", ""]);
    const log = readFileSync(join(stateOf(home), "iclaude.log"), "utf8")
      .trim()
      .split("\n");
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(new RegExp(`^\\S+Z refresh ${main.dir}: nothing due — `));
    expect(log[1]).toMatch(new RegExp(`^\\S+Z refresh ${work.dir}: nothing due — `));
    const workDueAt = Math.floor((oauthIn(work.dir).expiresAt - HOUR) / 1000);
    expect(Number(readFileSync(join(stateOf(home), "next-check"), "utf8"))).toBe(workDueAt);
    // A plain refresh of ~/.claude keeps the shell hook waking for the work profile too.
    await iclaude(home, ["refresh"]);
    expect(Number(readFileSync(join(stateOf(home), "next-check"), "utf8"))).toBe(workDueAt);
    expectNoSecrets(everythingWritten(home, [run]), secrets);
  });

  test("a login in a profile that needs a person writes the notice the shell hook shows, naming the profile", async () => {
    const { home, work } = await twoProfiles({ main: 8 * HOUR, work: 8 * HOUR });
    mock.killRefresh(work.pair.refreshToken);
    const run = await iclaude(home, ["refresh", "--background", "--all", "--force"]);
    expect([run.code, run.stdout, run.stderr]).toEqual([20, "", ""]);
    // Refused, its access token is the last of this login: it ends when that expires.
    expect(readFileSync(join(stateOf(home), "notice"), "utf8")).toBe(
      `iclaude: Claude login in ${work.dir} ends in 7h 59m — run: CLAUDE_CONFIG_DIR='${work.dir}' '${BIN}' refresh\n`,
    );
  });
});
