import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { fingerprint } from "../../src/base/secrets.ts";
import { BIN, baseEnv, DAY, expectNoSecrets, fakeSecurity, fakeToken, HOUR, type Run, runBin, tempHome, unprivileged, writeCredentials } from "../helpers.ts";

function secretsOf(content: Record<string, unknown>): string[] {
  const oauth = content.claudeAiOauth as Record<string, string>;
  return [oauth.accessToken, oauth.refreshToken].filter((s): s is string => typeof s === "string");
}

async function status(home: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ run: Run; json: Record<string, unknown> }> {
  const run = await runBin(["status", ...args], { home, env });
  const jsonRun = await runBin(["status", "--json", ...args], { home, env });
  expect(jsonRun.code).toBe(run.code);
  return { run, json: JSON.parse(jsonRun.stdout) };
}

describe("iclaude status", () => {
  test("valid: exit 0, one line with both clocks, every JSON field", async () => {
    const home = tempHome();
    const content = writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR + 20 * 60_000, refreshTokenExpiresAt: Date.now() + 23 * DAY + HOUR });
    const { run, json } = await status(home);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("valid — access token 5h 19m left, login ends in 23 days (max, file)\n");
    expect(run.stderr).toBe("");
    expect(json).toMatchObject({
      status: "valid",
      hasRefreshToken: true,
      store: "file",
      action: "none",
      subscriptionType: "max",
      path: join(home, ".claude", ".credentials.json"),
      scopes: ["user:inference", "user:profile", "user:sessions:claude_code"],
    });
    expect(Object.keys(json).sort()).toEqual([
      "action",
      "expiresAt",
      "expiresIn",
      "hasRefreshToken",
      "loginExpiresAt",
      "path",
      "scopes",
      "status",
      "store",
      "subscriptionType",
    ]);
    expect(json.expiresIn as number).toBeGreaterThan(5 * 3600);
    expectNoSecrets([run.stdout, run.stderr, JSON.stringify(json)], secretsOf(content));
  });

  test("refresh-due: exit 10 and the command to run", async () => {
    const home = tempHome();
    const content = writeCredentials(home, { expiresAt: Date.now() + 20 * 60_000 });
    const { run, json } = await status(home);
    expect(run.code).toBe(10);
    // iclaude is not on this PATH: the command names the binary by its path.
    expect(run.stdout).toMatch(new RegExp(`^refresh due — access token 1\\dm left, login has no set end \\(max, file\\)\nrun: '${BIN}' refresh\n$`));
    expect(json).toMatchObject({ status: "refresh-due", action: "refresh" });
    expectNoSecrets([run.stdout, run.stderr], secretsOf(content));
  });

  test("refresh-due too once the access token has expired, when it can be refreshed", async () => {
    const home = tempHome();
    writeCredentials(home, { expiresAt: Date.now() - HOUR });
    expect((await runBin(["status", "--quiet"], { home })).code).toBe(10);
  });

  test("login-expiring: exit 11 inside the threshold, which the flag and the environment move", async () => {
    const home = tempHome();
    writeCredentials(home, { refreshTokenExpiresAt: Date.now() + 3 * DAY + HOUR });
    const { run, json } = await status(home);
    expect(run.code).toBe(11);
    expect(run.stdout).toContain("login expiring — access token 4h 59m left, login ends in 3 days");
    expect(run.stdout).toContain("claude /login");
    expect(json).toMatchObject({ status: "login-expiring", action: "login" });
    expect((await runBin(["status", "--quiet", "--threshold", "2d"], { home })).code).toBe(0);
    expect((await runBin(["status", "--quiet"], { home, env: { ICLAUDE_THRESHOLD: "2d" } })).code).toBe(0);
  });

  test("a passed refreshTokenExpiresAt is Claude Code's estimate: login-expiring (11) until Anthropic refuses the token", async () => {
    const home = tempHome();
    writeCredentials(home, { refreshTokenExpiresAt: Date.now() - 2 * DAY });
    const { run, json } = await status(home);
    expect(run.code).toBe(11);
    expect(run.stdout).toContain("login expiring — access token 4h 59m left, login was expected to end 2 days ago, and still renews until Anthropic ends it");
    expect(json).toMatchObject({ status: "login-expiring", action: "login" });
  });

  test("a credential with no refresh token is judged by its own end", async () => {
    const home = tempHome();
    writeCredentials(home, { refreshToken: null, expiresAt: Date.now() - 60_000 });
    const { run, json } = await status(home);
    expect(run.code).toBe(12);
    expect(json).toMatchObject({ status: "expired", hasRefreshToken: false });
  });

  test("missing: exit 13 and how to log in", async () => {
    const home = tempHome();
    const { run, json } = await status(home);
    expect(run.code).toBe(13);
    expect(run.stdout).toBe(
      `missing — no Claude login in ${join(home, ".claude", ".credentials.json")}\nlog in with \`claude /login\` (or \`claude setup-token\` and \`iclaude refresh\`)\n`,
    );
    expect(json).toMatchObject({ status: "missing", expiresAt: null, expiresIn: null, loginExpiresAt: null, hasRefreshToken: false, action: "login" });
  });

  test("invalid: exit 14 for truncated JSON, naming the place and never echoing content", async () => {
    const home = tempHome();
    const token = fakeToken();
    mkdirSync(join(home, ".claude"));
    writeFileSync(join(home, ".claude", ".credentials.json"), `{"claudeAiOauth": {"accessToken": "${token}", "exp`);
    const { run, json } = await status(home);
    expect(run.code).toBe(14);
    expect(run.stdout).toContain("is not valid JSON");
    expect(json).toMatchObject({ status: "invalid", action: "login" });
    expect(json.error).toContain("is not valid JSON");
    expectNoSecrets([run.stdout, run.stderr, JSON.stringify(json)], [token]);
  });

  test("invalid: exit 14 for a wrongly typed field, naming it", async () => {
    const home = tempHome();
    writeCredentials(home, { expiresAt: "soon" as unknown as number });
    const { run } = await status(home);
    expect(run.code).toBe(14);
    expect(run.stdout).toContain("claudeAiOauth.expiresAt");
  });

  test("invalid: exit 14 with 'permission denied' for an unreadable file", async () => {
    const home = tempHome();
    writeCredentials(home);
    chmodSync(home, 0o755);
    const proc = Bun.spawn(unprivileged([BIN, "status"]), { env: baseEnv(home), cwd: "/", stdout: "pipe", stderr: "pipe" });
    const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(14);
    expect(stdout).toContain("permission denied");
  });

  test("follows CLAUDE_CONFIG_DIR", async () => {
    const home = tempHome();
    const dir = join(home, "work-claude");
    writeCredentials(home, { expiresAt: Date.now() + 10 * 60_000 }, {}, dir);
    const { json } = await status(home, [], { CLAUDE_CONFIG_DIR: dir });
    expect(json).toMatchObject({ status: "refresh-due", path: join(dir, ".credentials.json") });
  });

  test("CLAUDE_CODE_OAUTH_TOKEN wins, as it does for claude: valid, store env, unknown times", async () => {
    const home = tempHome();
    const envToken = fakeToken();
    writeCredentials(home, { refreshTokenExpiresAt: Date.now() - DAY });
    const { run, json } = await status(home, [], { CLAUDE_CODE_OAUTH_TOKEN: envToken });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("CLAUDE_CODE_OAUTH_TOKEN");
    expect(json).toMatchObject({ status: "valid", store: "env", expiresAt: null, expiresIn: null, loginExpiresAt: null, path: null });
    expectNoSecrets([run.stdout, run.stderr, JSON.stringify(json)], [envToken]);
  });

  test("a stored long-lived token takes over when the refresh token is dead, and a new login wins again", async () => {
    const home = tempHome();
    const longLived = fakeToken();
    const content = writeCredentials(home);
    const stateDir = join(home, ".local", "state", "iclaude");
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, "dead-refresh-tokens"), `${fingerprint(secretsOf(content)[1] ?? "")}\n`);
    writeFileSync(join(stateDir, "long-lived-token.json"), JSON.stringify({ token: longLived, expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() }), {
      mode: 0o600,
    });
    const { run, json } = await status(home);
    expect(run.code).toBe(0);
    expect(json).toMatchObject({ status: "valid", store: "long-lived", hasRefreshToken: false, path: join(stateDir, "long-lived-token.json") });
    expectNoSecrets([run.stdout, run.stderr, JSON.stringify(json)], [longLived, ...secretsOf(content)]);
    writeCredentials(home);
    expect((await status(home)).json).toMatchObject({ status: "valid", store: "file", hasRefreshToken: true });
  });

  test("each profile's long-lived token is its own: one stored for ~/.claude is never another config dir's", async () => {
    const home = tempHome();
    const work = join(home, "work-claude");
    const stateDir = join(home, ".local", "state", "iclaude");
    mkdirSync(stateDir, { recursive: true });
    const dead: string[] = [];
    for (const dir of [join(home, ".claude"), work]) dead.push(fingerprint(secretsOf(writeCredentials(home, {}, {}, dir))[1] ?? ""));
    writeFileSync(join(stateDir, "dead-refresh-tokens"), `${dead.join("\n")}\n`);
    const record = (token: string) => JSON.stringify({ token, expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() });
    const personal = fakeToken();
    writeFileSync(join(stateDir, "long-lived-token.json"), record(personal), { mode: 0o600 });
    expect((await status(home)).json).toMatchObject({ status: "valid", store: "long-lived" });
    const atWork = await status(home, [], { CLAUDE_CONFIG_DIR: work });
    expect(atWork.json).toMatchObject({ store: "file", action: "login" });

    const workToken = fakeToken();
    const suffix = createHash("sha256").update(work).digest("hex").slice(0, 8);
    writeFileSync(join(stateDir, `long-lived-token-${suffix}.json`), record(workToken), { mode: 0o600 });
    const token = await runBin(["token"], { home, env: { CLAUDE_CONFIG_DIR: work } });
    expect([token.code, token.stdout]).toEqual([0, `${workToken}\n`]);
    expect((await status(home, [], { CLAUDE_CONFIG_DIR: work })).json).toMatchObject({
      status: "valid",
      store: "long-lived",
      path: join(stateDir, `long-lived-token-${suffix}.json`),
    });
    expect((await runBin(["token"], { home })).stdout).toBe(`${personal}\n`);
    // The default dir named by CLAUDE_CONFIG_DIR is still ~/.claude's profile.
    expect((await runBin(["token"], { home, env: { CLAUDE_CONFIG_DIR: join(home, ".claude") } })).stdout).toBe(`${personal}\n`);
    expectNoSecrets([atWork.run.stdout, atWork.run.stderr], [personal, workToken]);
  });

  test("reads the Keychain when told to, through Claude Code's service and account", async () => {
    const home = tempHome();
    const security = fakeSecurity(home);
    const content = {
      claudeAiOauth: { accessToken: fakeToken(), refreshToken: fakeToken("ort01"), expiresAt: Date.now() + 30 * 60_000, scopes: ["user:inference"] },
    };
    const hex = Buffer.from(JSON.stringify(content)).toString("hex");
    Bun.spawnSync([security, "-i"], { stdin: Buffer.from(`add-generic-password -U -a "tester" -s "Claude Code-credentials" -X "${hex}"\n`) });
    const { run, json } = await status(home, [], { ICLAUDE_STORE: "keychain", ICLAUDE_SECURITY_BIN: security });
    expect(run.code).toBe(10);
    expect(json).toMatchObject({ status: "refresh-due", store: "keychain", path: "Claude Code-credentials" });
    expectNoSecrets([run.stdout, run.stderr], secretsOf(content));
  });

  test("--quiet prints nothing", async () => {
    const home = tempHome();
    writeCredentials(home, { expiresAt: Date.now() + 60_000 });
    expect(await runBin(["status", "--quiet"], { home })).toEqual({ code: 10, stdout: "", stderr: "" });
  });

  test("a bad config value is one sentence on stderr, exit 2, no stack trace", async () => {
    const home = tempHome();
    writeCredentials(home);
    const run = await runBin(["status"], { home, env: { ICLAUDE_REFRESH_MARGIN: "an hour" } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('iclaude: ICLAUDE_REFRESH_MARGIN: "an hour" is not a duration; write it like 90s, 30m, 12h, 7d or a number of seconds.\n');
  });

  test("a .env or bunfig.toml in the working directory changes nothing", async () => {
    const home = tempHome();
    writeCredentials(home);
    const cwd = join(home, "project");
    mkdirSync(cwd);
    writeFileSync(join(cwd, ".env"), "CLAUDE_CONFIG_DIR=/nonexistent\nICLAUDE_THRESHOLD=garbage\n");
    writeFileSync(join(cwd, "bunfig.toml"), 'preload = ["./evil.ts"]\n');
    writeFileSync(join(cwd, "evil.ts"), 'console.log("preloaded");\n');
    const run = await runBin(["status"], { home, cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toStartWith("valid — ");
  });

  test("--version and --help answer without touching credentials", async () => {
    const home = tempHome();
    const version = await runBin(["--version"], { home });
    const tested = [pkg.devDependencies["claude-code-oldest"].replace("npm:@anthropic-ai/claude-code@", ""), pkg.devDependencies["@anthropic-ai/claude-code"]];
    expect(version.stdout).toBe(`iclaude ${pkg.version}\ntested with Claude Code ${tested.join(" and ")}\n`);
    const help = await runBin(["--help"], { home });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("iclaude status");
    const statusHelp = await runBin(["status", "--help"], { home });
    expect(statusHelp.stdout).toContain("--json");
  });
});
