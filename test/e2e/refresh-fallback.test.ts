import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { inPane, killPanes } from "../fixtures/pane.ts";
import { baseEnv, DAY, expectNoSecrets, fakeToken, HOUR, ROOT, runBin, tempHome, writeCredentials } from "../helpers.ts";

const FAKE_CLAUDE = join(ROOT, "test/fixtures/fake-claude/claude");
afterAll(killPanes);

/** `iclaude refresh` at a real terminal, 80 columns wide. */
const startInTmux = (home: string, token: string, name = "run", extra: Record<string, string> = {}) =>
  inPane(home, name, "refresh", baseEnv(home, { ICLAUDE_CLAUDE_BIN: FAKE_CLAUDE, FAKE_SETUP_TOKEN: token, NO_COLOR: undefined, ...extra }), 80);

const longLivedFile = (home: string) => join(home, ".local", "state", "iclaude", "long-lived-token.json");

describe("the setup-token fallback at a terminal", () => {
  test("captures the wrapped, coloured token, stores it 0600, leaves Claude Code's credentials byte-identical", async () => {
    const home = tempHome();
    const old = writeCredentials(home, { expiresAt: Date.now() - HOUR, refreshToken: null }, { mcpOAuth: { a: 1 } });
    const credentials = join(home, ".claude", ".credentials.json");
    const before = readFileSync(credentials);
    const token = fakeToken("oat01");
    const pane = startInTmux(home, token);
    await pane.waitFor("Run claude setup-token now? [y/N]");
    pane.keys("y", "Enter");
    const prompt = await pane.waitFor("Paste code here if prompted >");
    expect(prompt).toContain("(80 columns)");
    pane.keys("code-1234", "Enter");
    expect(await pane.exitCode()).toBe(0);
    const screen = pane.screen();
    // The fake prints a token only after a code was typed: the keys reached it through the pty.
    expect(screen).toMatch(/stored the long-lived token — claude uses the long-lived token, login ends in 36\d days/);
    const stored = JSON.parse(readFileSync(longLivedFile(home), "utf8"));
    expect(stored.token).toBe(token);
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 364 * DAY);
    expect(statSync(longLivedFile(home)).mode & 0o777).toBe(0o600);
    expect(readFileSync(credentials).equals(before)).toBe(true);
    expect(existsSync(`${credentials}.bak`)).toBe(false);
    const status = await runBin(["status", "--json"], { home });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "valid", store: "long-lived", hasRefreshToken: false });
    const oauth = old.claudeAiOauth as { accessToken: string };
    expectNoSecrets([status.stdout, status.stderr, screen.split("Your OAuth token")[0] ?? ""], [token, oauth.accessToken]);
  }, 30_000);

  test("2.1.332's wording: a login Claude Code ended, the token captured with the N days claude states, and its scope told once", async () => {
    const home = tempHome();
    writeCredentials(home, { accessToken: "", refreshToken: "", expiresAt: 0, loginEnded: "time_limit" });
    const token = fakeToken("oat01");
    const pane = startInTmux(home, token, "run", { FAKE_SETUP_DAYS: "30" });
    await pane.waitFor("Run claude setup-token now? [y/N]");
    pane.keys("y", "Enter");
    await pane.waitFor("Paste code here if prompted >");
    pane.keys("code-1234", "Enter");
    expect(await pane.exitCode()).toBe(0);
    const screen = pane.screen();
    expect(screen).toContain("You can revoke it later at");
    expect(screen.match(/It carries only user:inference: claude works, but \/usage and Remote Control do not\./g)).toHaveLength(1);
    expect(screen).toMatch(/login ends in (29|30) days/);
    const stored = JSON.parse(readFileSync(longLivedFile(home), "utf8"));
    expect(stored.token).toBe(token);
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 29 * DAY);
    expect(stored.expiresAt).toBeLessThan(Date.now() + 31 * DAY);
  }, 30_000);

  test("declining an ended login: exit 20, nothing stored", async () => {
    const home = tempHome();
    writeCredentials(home, { expiresAt: Date.now() - HOUR, refreshToken: null });
    const pane = startInTmux(home, fakeToken("oat01"));
    await pane.waitFor("Run claude setup-token now? [y/N]");
    pane.keys("n", "Enter");
    expect(await pane.exitCode()).toBe(20);
    expect(pane.screen()).toContain("iclaude: The Claude login has ended;");
    expect(existsSync(longLivedFile(home))).toBe(false);
  }, 30_000);

  test("declining while the login is only expiring is fine: exit 0 with the warning", async () => {
    const home = tempHome();
    writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR, refreshTokenExpiresAt: Date.now() + 3 * DAY });
    const pane = startInTmux(home, fakeToken("oat01"));
    await pane.waitFor("Run claude setup-token now? [y/N]");
    // Enter out of habit is the safe answer: no login flow starts.
    pane.keys("Enter");
    expect(await pane.exitCode()).toBe(0);
    expect(pane.screen()).toMatch(/declined — access token valid .+, login ends in (2|3) days/);
    expect(existsSync(longLivedFile(home))).toBe(false);
    const later = startInTmux(home, fakeToken("oat01"), "later");
    expect(await later.exitCode()).toBe(0);
    expect(later.screen()).not.toContain("Run claude setup-token now?");
    expect(later.screen()).toMatch(/nothing due — access token valid .+, login ends in (2|3) days/);
    // No advice that loops: the offer just declined is not suggested again today.
    expect(later.screen()).toContain("log in again with `claude /login` (iclaude offers a long-lived token again tomorrow)");
    expect(later.screen()).not.toContain("run `iclaude refresh` at a terminal");
  }, 30_000);

  test("a setup-token run that prints no token: exit 20 in one sentence, nothing stored", async () => {
    const home = tempHome();
    writeCredentials(home, { expiresAt: Date.now() - HOUR, refreshToken: null });
    const pane = startInTmux(home, fakeToken("oat01"));
    await pane.waitFor("Run claude setup-token now? [y/N]");
    pane.keys("y", "Enter");
    await pane.waitFor("Paste code here if prompted >");
    pane.keys("Enter");
    expect(await pane.exitCode()).toBe(20);
    expect(pane.screen()).toContain("iclaude: `claude setup-token` exited 1 without a token; nothing was stored");
    expect(existsSync(longLivedFile(home))).toBe(false);
  }, 30_000);

  test("under another config dir the token is stored as that profile's, and ~/.claude's is left alone", async () => {
    const home = tempHome();
    const work = join(home, "work-claude");
    writeCredentials(home, { expiresAt: Date.now() - HOUR, refreshToken: null }, {}, work);
    const token = fakeToken("oat01");
    const pane = startInTmux(home, token, "run", { CLAUDE_CONFIG_DIR: work });
    await pane.waitFor("Run claude setup-token now? [y/N]");
    pane.keys("y", "Enter");
    await pane.waitFor("Paste code here if prompted >");
    pane.keys("code-1234", "Enter");
    await pane.waitFor("to the profiles? [Y/n]");
    pane.keys("n", "Enter");
    expect(await pane.exitCode()).toBe(0);
    const suffix = createHash("sha256").update(work).digest("hex").slice(0, 8);
    const own = join(home, ".local", "state", "iclaude", `long-lived-token-${suffix}.json`);
    expect(JSON.parse(readFileSync(own, "utf8")).token).toBe(token);
    expect(statSync(own).mode & 0o777).toBe(0o600);
    expect(existsSync(longLivedFile(home))).toBe(false);
  }, 30_000);
});
