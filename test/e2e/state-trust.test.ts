import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { DAY, expectNoSecrets, fakeToken, ROOT, runBin, tempHome, unprivileged, writeCredentials } from "../helpers.ts";

const FAKE = join(ROOT, "test/fixtures/fake-claude-launch/claude");
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

/** A login due for a refresh, in a fresh HOME. */
function due(): { home: string; pair: { accessToken: string; refreshToken: string }; path: string } {
  const home = tempHome();
  const pair = mock.issuePair();
  writeCredentials(home, { ...pair, expiresAt: Date.now() + 60_000 });
  return { home, pair, path: join(home, ".claude/.credentials.json") };
}

/** A login that has ended, and a long-lived token in the state dir that would take over — if it can be trusted. */
function planted(arrange: (state: string, token: string) => void) {
  const home = tempHome();
  writeCredentials(home, { refreshToken: null, expiresAt: Date.now() - 1000 });
  const state = join(home, "shared-state");
  mkdirSync(state, { mode: 0o700 });
  const token = fakeToken("oat01");
  const file = join(state, "long-lived-token.json");
  writeFileSync(file, JSON.stringify({ token, expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() }), { mode: 0o600 });
  arrange(state, file);
  return { home, state, token, env: { ICLAUDE_STATE_DIR: state, ICLAUDE_CLAUDE_BIN: FAKE, FAKE_MODE: "args", ICLAUDE_STORE: "file" } };
}

const refusal = (state: string, problem: string, consequence: string): string =>
  `iclaude: ${problem}, so iclaude uses nothing in it; ${consequence} — run \`chmod 700 ${state}\` if it is yours, or set ICLAUDE_STATE_DIR to a directory of your own.\n`;

describe("a state dir or long-lived token someone else could have planted", () => {
  const cases: [string, (state: string, file: string) => void, (state: string) => string][] = [
    [
      "a world-writable sticky dir (1777), the token another user's",
      (state, file) => {
        chmodSync(state, 0o1777);
        chownSync(file, NOBODY, NOBODY);
      },
      (s) => `iclaude's state dir ${s} can be written by other users (mode 1777)`,
    ],
    ["a dir writable by everyone (777)", (state) => chmodSync(state, 0o777), (s) => `iclaude's state dir ${s} can be written by other users (mode 777)`],
    ["a dir writable by its group (770)", (state) => chmodSync(state, 0o770), (s) => `iclaude's state dir ${s} can be written by other users (mode 770)`],
    ["a dir owned by another user", (state) => chownTree(state, NOBODY, NOBODY), (s) => `iclaude's state dir ${s} belongs to another user (uid ${NOBODY})`],
    [
      "a token file owned by another user",
      (_, file) => chownSync(file, NOBODY, NOBODY),
      (s) => `${s}/long-lived-token.json belongs to another user (uid ${NOBODY})`,
    ],
    [
      "a token file writable by others (666)",
      (_, file) => chmodSync(file, 0o666),
      (s) => `${s}/long-lived-token.json can be written by other users (mode 666)`,
    ],
    [
      "a token file that is a symbolic link",
      (state, file) => {
        writeFileSync(join(state, "elsewhere.json"), readFileSync(file), { mode: 0o600 });
        Bun.spawnSync(["rm", file]);
        symlinkSync(join(state, "elsewhere.json"), file);
      },
      (s) => `${s}/long-lived-token.json is a symbolic link`,
    ],
  ];
  for (const [name, arrange, problem] of cases) {
    test.skipIf(!asRoot && name.includes("another user"))(`${name}: status and the launcher say so once and do not use the token`, async () => {
      const h = planted(arrange);
      const status = await runBin(["status", "--json"], { home: h.home, env: h.env });
      expect([status.code, JSON.parse(status.stdout).store, JSON.parse(status.stdout).status]).toEqual([12, "file", "expired"]);
      expect(status.stderr).toBe(refusal(h.state, problem(h.state), "a long-lived token there is not used"));
      const launch = await runBin(["--", "hi"], { home: h.home, env: h.env });
      expect([launch.code, launch.stdout]).toEqual([0, "[hi]\noauth=\n"]);
      expect(launch.stderr).toBe(refusal(h.state, problem(h.state), "claude starts with Claude Code's own login"));
      expectNoSecrets([status.stdout, status.stderr, launch.stdout, launch.stderr], [h.token]);
    });
  }

  test("the same token in a dir of one's own (0700, 0600) is used", async () => {
    const h = planted(() => {});
    const launch = await runBin(["--", "hi"], { home: h.home, env: h.env });
    expect([launch.code, launch.stdout, launch.stderr]).toEqual([0, "[hi]\noauth=set\n", ""]);
  });

  test("a refresh with such a state dir sends nothing (exit 21)", async () => {
    const { home } = due();
    const state = join(home, "open");
    mkdirSync(state);
    chmodSync(state, 0o1777);
    const before = readFileSync(join(home, ".claude/.credentials.json"));
    const sent = mock.requests.length;
    const run = await runBin(["refresh"], { home, env: { ICLAUDE_STATE_DIR: state, ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(run.code).toBe(21);
    expect(run.stderr).toBe(refusal(state, `iclaude's state dir ${state} can be written by other users (mode 1777)`, "nothing was sent"));
    expect(mock.requests.length).toBe(sent);
    expect(readFileSync(join(home, ".claude/.credentials.json")).equals(before)).toBe(true);
  });
});

describe("what iclaude creates in its state dir", () => {
  test("the dir is 0700 and every file 0600, whatever the umask", async () => {
    const { home } = due();
    const withUmask = (argv: string[]) => ["sh", "-c", 'umask 000; exec "$@"', "sh", ...argv];
    const run = await runBin(["refresh", "--background"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, argv: withUmask });
    expect(run.code).toBe(0);
    const state = join(home, ".local/state/iclaude");
    expect(statSync(state).mode & 0o7777).toBe(0o700);
    for (const name of readdirSync(state)) expect([name, statSync(join(state, name)).mode & 0o777]).toEqual([name, 0o600]);
  });

  test("never writes through a symbolic link: the log, the refused-token list and next-check leave their targets alone", async () => {
    const { home, pair } = due();
    mock.killRefresh(pair.refreshToken);
    const state = join(home, ".local/state/iclaude");
    mkdirSync(state, { recursive: true, mode: 0o700 });
    const victim = join(home, "victim");
    writeFileSync(victim, "precious\n");
    for (const name of ["iclaude.log", "dead-refresh-tokens", "next-check", "last-failure"]) symlinkSync(victim, join(state, name));
    const run = await runBin(["refresh", "--background"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect([run.code, run.stdout, run.stderr]).toEqual([20, "", ""]);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });
});

describe.skipIf(!asRoot)("root over another user's files", () => {
  test("a refresh keeps the credentials' and .bak's owner and group, and the state dir it creates is that user's", async () => {
    const { home, path } = due();
    chownTree(home, NOBODY, NOBODY);
    chownSync(path, NOBODY, 4242);
    const run = await runBin(["refresh"], { home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl } });
    expect(run.code).toBe(0);
    for (const file of [path, `${path}.bak`]) expect([statSync(file).uid, statSync(file).gid, statSync(file).mode & 0o777]).toEqual([NOBODY, 4242, 0o600]);
    for (const dir of [".local", ".local/state", ".local/state/iclaude"]) expect(statSync(join(home, dir)).uid).toBe(NOBODY);
    const state = join(home, ".local/state/iclaude");
    expect(statSync(state).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(state)) expect([name, statSync(join(state, name)).uid]).toEqual([name, NOBODY]);
    // The user's own next run reads and refreshes what root wrote.
    const own = await runBin(["refresh", "--force"], { home, cwd: "/", env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, argv: unprivileged });
    expect([own.code, own.stderr]).toEqual([0, ""]);
  });

  test("a user's run refuses to replace a credentials file another user owns: nothing sent", async () => {
    const { home, path } = due();
    chownTree(home, NOBODY, NOBODY);
    chownSync(path, 0, 0);
    chmodSync(path, 0o644);
    const sent = mock.requests.length;
    const run = await runBin(["refresh"], { home, cwd: "/", env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, argv: unprivileged });
    expect(run.code).toBe(21);
    expect(run.stderr).toBe(
      `iclaude: ${path} belongs to another user (uid 0), and iclaude does not replace another user's credentials; nothing was sent — run iclaude as that user.\n`,
    );
    expect(mock.requests.length).toBe(sent);
    expect(statSync(path).uid).toBe(0);
  });
});
