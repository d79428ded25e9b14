import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { startBroker } from "../fixtures/broker.ts";
import { CLAUDE_VERSIONS, claudeEnv } from "../fixtures/claude-home.ts";
import { MOCK_REPLY_TEXT, type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, DELAY_SCALE, expectNoSecrets, HOUR, tempHome, writeCredentials } from "../helpers.ts";

/**
 * The real Claude Code in a bubblewrap box (Debian's `bubblewrap`, what Claude Code's own Linux
 * sandbox runs on) fed by the host's broker: the box has the system read-only, an empty /home and
 * /tmp of its own, its own processes, and of the host's iclaude only the broker's socket dir. Inside,
 * `broker sync` writes the login, `claude -p` answers through the loopback mock, and a last step
 * looks, as the box sees it, for a refresh token in every file it can write and every process's
 * environment.
 */

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

/** Where the box finds the broker's socket dir: outside the /home and /tmp it starts with empty. */
const BOX_BROKER_DIR = "/run/iclaude-broker";
const BOX_HOME = "/home/box";
/** Every refresh token starts so; a shape, not a token, is what the box is given to look for. */
const REFRESH_SHAPE = "sk-ant-ort01";
/** The access token's shape: the same search finds it where it must be, so the search is seen to work. */
const ACCESS_SHAPE = "sk-ant-oat01";

/**
 * Run by `sh -c` in the box, the shapes as $1 (refresh) and $2 (access); each section of its output
 * starts with a `--- name` line. The keeper (`broker sync` without --once) runs while claude works and
 * while the box is searched, as it would in a real box.
 */
const BOX_SCRIPT = `
echo "--- sync"
"$ICLAUDE" broker sync --once || exit 101
"$ICLAUDE" broker sync --interval 1h &
keeper=$!
echo "--- claude"
"$CLAUDE" -p hi
status=$?
echo "--- claude exit"
echo "$status"
echo "--- synced"
cat "$HOME/.claude/.credentials.json"
echo
echo "--- files"
find /home /tmp -type f | wc -l
grep -rl -e "$1" /home /tmp
echo "--- access"
grep -rl -e "$2" /home /tmp
echo "--- environs"
for environ in /proc/[0-9]*/environ; do [ -r "$environ" ] && echo "$environ"; done | wc -l
[ -r "/proc/$keeper/environ" ] && echo "keeper's read"
for environ in /proc/[0-9]*/environ; do grep -l -e "$1" "$environ" 2>/dev/null; done
echo "--- end"
kill "$keeper"
`;

/** The box's stdout, by section. */
function sections(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name = "";
  for (const line of stdout.split("\n")) {
    const header = /^--- (.+)$/.exec(line);
    if (header?.[1]) {
      name = header[1];
      out[name] = "";
    } else if (name) out[name] += `${line}\n`;
  }
  return out;
}

/** Where the box sees the host's binaries: outside /home and /tmp, which the checkout itself may be under. */
const BOX_ICLAUDE = "/opt/iclaude/iclaude";
const BOX_CLAUDE_DIR = "/opt/claude";

/** bwrap's arguments: the system read-only, the two binaries, the socket dir, an empty /home and /tmp. */
function boxArgs(socketDir: string, claudeBin: string): string[] {
  const readOnly = (path: string, at = path) => ["--ro-bind", path, at];
  // The package's dir, read-only: claude.exe and anything it keeps beside itself.
  const claudeDir = dirname(dirname(claudeBin));
  return [
    ...readOnly("/usr"),
    ...readOnly("/etc"),
    ...["bin", "lib", "lib64", "sbin"].flatMap((name) => ["--symlink", `usr/${name}`, `/${name}`]),
    ...readOnly(realpathSync(BIN), BOX_ICLAUDE),
    ...readOnly(claudeDir, BOX_CLAUDE_DIR),
    ...["--ro-bind", socketDir, BOX_BROKER_DIR],
    ...["--tmpfs", "/home", "--dir", BOX_HOME, "--tmpfs", "/tmp"],
    ...["--proc", "/proc", "--dev", "/dev"],
    ...["--remount-ro", "/", "--unshare-pid", "--die-with-parent", "--chdir", BOX_HOME],
    ...["--setenv", "ICLAUDE", BOX_ICLAUDE, "--setenv", "CLAUDE", join(BOX_CLAUDE_DIR, relative(claudeDir, claudeBin))],
  ];
}

describe.each(CLAUDE_VERSIONS)("the real Claude Code $version in a bubblewrap box fed by the broker", ({ bin }) => {
  test("`broker sync` then `claude -p` answers with the host's token and scopes, and no refresh token is anywhere in the box", async () => {
    const host = tempHome("iclaude-host-");
    const scopes = ["user:inference", "user:profile", "user:sessions:claude_code"];
    const pair = mock.issuePair();
    writeCredentials(host, { ...pair, expiresAt: Date.now() + 5 * HOUR, scopes });
    const broker = await startBroker(host, [], { ICLAUDE_TOKEN_URL: mock.tokenUrl, XDG_RUNTIME_DIR: join(host, "run") });
    const claudeBin = realpathSync(bin);
    const env = {
      ...claudeEnv({ home: BOX_HOME, configDir: "", credentialsPath: "", cleanup: async () => {} }, mock),
      PATH: "/usr/local/bin:/usr/bin:/bin",
      USER: "tester",
      ICLAUDE_BROKER: join(BOX_BROKER_DIR, "broker.sock"),
      ICLAUDE_TEST_DELAY_SCALE: DELAY_SCALE,
    };
    const box = Bun.spawn(["/usr/bin/bwrap", ...boxArgs(dirname(broker.socket), claudeBin), "/bin/sh", "-c", BOX_SCRIPT, "sh", REFRESH_SHAPE, ACCESS_SHAPE], {
      env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: 50_000,
      killSignal: "SIGKILL",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(box.stdout).text(), new Response(box.stderr).text(), box.exited]);
    const part = sections(stdout);
    // The box's stderr goes along, so a failure says what the box said.
    expect({ code, claude: part.claude, exit: part["claude exit"], stderr }).toEqual({
      code: 0,
      claude: `${MOCK_REPLY_TEXT}\n`,
      exit: "0\n",
      stderr: expect.any(String),
    });
    expect(part.sync).toMatch(/^wrote \/home\/box\/\.claude\/\.credentials\.json — access token valid 4h 5\dm, no refresh token\n$/);
    expect(mock.messages.at(-1)).toMatchObject({ authorization: `Bearer ${pair.accessToken}`, status: 200 });
    const synced = JSON.parse(part.synced ?? "{}").claudeAiOauth;
    expect(synced).toEqual({ accessToken: pair.accessToken, expiresAt: expect.any(Number), scopes, subscriptionType: "max" });
    // What the box can write holds the login and the settings at least; none holds a refresh token.
    const [fileCount, ...filesWithShape] = (part.files ?? "").trim().split("\n");
    expect(Number(fileCount)).toBeGreaterThanOrEqual(2);
    expect(filesWithShape).toEqual([]);
    expect(part.access?.split("\n")).toContain(`${BOX_HOME}/.claude/.credentials.json`);
    // sh, the keeper and the search itself at least; the keeper's environment was among those read.
    const [environCount, keeperRead, ...environsWithShape] = (part.environs ?? "").trim().split("\n");
    expect(Number(environCount)).toBeGreaterThanOrEqual(3);
    expect(keeperRead).toBe("keeper's read");
    expect(environsWithShape).toEqual([]);
    expect(Object.keys(part)).toEqual(["sync", "claude", "claude exit", "synced", "files", "access", "environs", "end"]);
    expect(await broker.stop()).toBe(0);
    expectNoSecrets([stdout, stderr, broker.log()], [pair.refreshToken]);
    expect(readFileSync(join(host, ".claude", ".credentials.json"), "utf8")).toContain(pair.refreshToken);
  }, 60_000);
});
