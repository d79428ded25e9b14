import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/base/config.ts";
import type { Assessment } from "../../../src/credentials/assessment.ts";
import { EXIT } from "../../../src/base/errors.ts";
import { writeSchedule } from "../../../src/refresh/next-check.ts";
import { noticeLine } from "../../../src/ui/words.ts";
import { addProfile, listProfiles, profilesPath, profilesToVisit, profileToOffer, rememberProfileOffer, removeProfile } from "../../../src/credentials/profiles.ts";
import { worstExitCode, type ProfileRefresh } from "../../../src/refresh/all.ts";
import { IclaudeError } from "../../../src/base/errors.ts";
import { notifyOnce } from "../../../src/ui/notify.ts";
import { DAY, HOUR, iclaudeErrorOf, tempHome, writeCredentials } from "../../helpers.ts";

const envOf = (home: string, extra: Record<string, string> = {}) => ({ HOME: home, ...extra });

function dirIn(home: string, name: string): string {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("profiles", () => {
  test("~/.claude is listed while it holds a login, or while nothing else is", () => {
    const home = tempHome();
    const env = envOf(home);
    expect(listProfiles(env)).toEqual([{ dir: join(home, ".claude"), isDefault: true, added: false }]);
    const work = dirIn(home, ".claude-work");
    addProfile(work, env);
    expect(listProfiles(env).map((p) => p.dir)).toEqual([work]);
    writeCredentials(home);
    expect(listProfiles(env).map((p) => p.dir)).toEqual([join(home, ".claude"), work]);
  });

  test("add is idempotent and stores the absolute path; remove takes out only an added dir", () => {
    const home = tempHome();
    const env = envOf(home);
    const work = dirIn(home, "work");
    expect(addProfile(work, env)).toEqual({ dir: work, changed: true });
    expect(addProfile(`${work}/`, env)).toEqual({ dir: work, changed: false });
    expect(JSON.parse(readFileSync(profilesPath(env), "utf8"))).toEqual({ version: 1, dirs: [work] });
    expect(iclaudeErrorOf(() => removeProfile(join(home, ".claude"), env)).message).toContain("looked after while it holds a login");
    expect(iclaudeErrorOf(() => removeProfile(join(home, "other"), env)).exitCode).toBe(EXIT.usage);
    expect(removeProfile(work, env)).toBe(work);
    expect(JSON.parse(readFileSync(profilesPath(env), "utf8")).dirs).toEqual([]);
  });

  test("a dir that does not exist, or a file, is refused with a sentence and nothing written", () => {
    const home = tempHome();
    const env = envOf(home);
    expect(iclaudeErrorOf(() => addProfile(join(home, "nope"), env)).message).toBe(`Cannot add ${join(home, "nope")}: it does not exist; give the Claude Code config dir (what CLAUDE_CONFIG_DIR names).`);
    writeFileSync(join(home, "file"), "");
    expect(iclaudeErrorOf(() => addProfile(join(home, "file"), env)).message).toContain("it is not a directory");
    expect(() => readFileSync(profilesPath(env))).toThrow();
  });

  test("a damaged profiles file is a sentence and is never overwritten", () => {
    const home = tempHome();
    const env = envOf(home);
    mkdirSync(join(home, ".config", "iclaude"), { recursive: true });
    writeFileSync(profilesPath(env), '{"dirs": "oops"}');
    const error = iclaudeErrorOf(() => addProfile(dirIn(home, "work"), env));
    expect(error.message).toBe(`The profiles file ${profilesPath(env)} is damaged; fix it or remove it and add the profiles again.`);
    expect(readFileSync(profilesPath(env), "utf8")).toBe('{"dirs": "oops"}');
  });

  test("--all also visits the CLAUDE_CONFIG_DIR it runs with, once", () => {
    const home = tempHome();
    const work = dirIn(home, "work");
    addProfile(work, envOf(home));
    expect(profilesToVisit(envOf(home, { CLAUDE_CONFIG_DIR: work })).map((p) => p.dir)).toEqual([work]);
    const other = dirIn(home, "other");
    expect(profilesToVisit(envOf(home, { CLAUDE_CONFIG_DIR: other })).map((p) => p.dir)).toEqual([work, other]);
  });

  test("a CLAUDE_CONFIG_DIR that is not a profile is offered once", () => {
    const home = tempHome();
    const work = dirIn(home, "work");
    const env = envOf(home, { CLAUDE_CONFIG_DIR: work });
    const config = loadConfig({}, env);
    expect(profileToOffer(config, envOf(home))).toBeNull();
    expect(profileToOffer(config, env)).toBe(work);
    rememberProfileOffer(config, work);
    expect(profileToOffer(config, env)).toBeNull();
    const other = dirIn(home, "other");
    expect(profileToOffer(config, envOf(home, { CLAUDE_CONFIG_DIR: other }))).toBe(other);
  });
});

describe("refresh --all's exit code", () => {
  const run = (exitCode: number | null): ProfileRefresh =>
    exitCode === null
      ? ({ profile: { dir: "/a", isDefault: false, added: true }, result: {} } as unknown as ProfileRefresh)
      : { profile: { dir: "/b", isDefault: false, added: true }, error: new IclaudeError("x", exitCode) };

  test("is the worst outcome: a person must log in outranks a failure, a failure a busy lock, that a cooldown", () => {
    expect(worstExitCode([run(null), run(null)])).toBe(0);
    expect(worstExitCode([run(22), run(null)])).toBe(22);
    expect(worstExitCode([run(23), run(22)])).toBe(23);
    expect(worstExitCode([run(21), run(23)])).toBe(21);
    expect(worstExitCode([run(21), run(20), run(null)])).toBe(20);
  });
});

describe("the notice over all profiles", () => {
  const assessment = (fields: Partial<Assessment>): Assessment => ({
    status: "valid", action: "none", source: "file", path: "/x", expiresAt: null, loginExpiresAt: null, scopes: [],
    subscriptionType: null, hasRefreshToken: true, accessToken: null, stored: null, refreshTokenDead: false, error: null, rescued: null, ended: null,
    ...fields,
  });

  test("names a profile other than ~/.claude, with the command for it", () => {
    expect(noticeLine(assessment({ status: "expired" }), Date.now(), "/w")).toBe("iclaude: Claude login in /w has ended — run: CLAUDE_CONFIG_DIR=/w iclaude refresh");
  });

  test("next-check is the earliest of all profiles; the notice is the most urgent one's", () => {
    const home = tempHome();
    const config = loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: join(home, "state") });
    const now = Date.now();
    writeSchedule(config, [
      { assessment: assessment({ expiresAt: now + 8 * HOUR }) },
      { assessment: assessment({ status: "login-expiring", expiresAt: now + 90 * 60_000, loginExpiresAt: now + 3 * DAY }), dir: "/w" },
      { assessment: assessment({ status: "expired", hasRefreshToken: false }), dir: "/x" },
    ]);
    expect(Number(readFileSync(join(home, "state", "next-check"), "utf8"))).toBe(Math.floor((now + 30 * 60_000) / 1000));
    expect(readFileSync(join(home, "state", "notice"), "utf8")).toBe("iclaude: Claude login in /x has ended — run: CLAUDE_CONFIG_DIR=/x iclaude refresh\n");
  });
});

describe("notifyOnce", () => {
  test("on macOS posts the notice at most once a day; elsewhere never", () => {
    const config = { stateDir: join(tempHome(), "state") };
    mkdirSync(config.stateDir, { recursive: true });
    const posted: string[] = [];
    const post = (line: string) => posted.push(line);
    const now = Date.now();
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now, "linux", post);
    expect(posted).toEqual([]);
    notifyOnce(config, null, now, "darwin", post);
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now, "darwin", post);
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now + HOUR, "darwin", post);
    expect(posted).toEqual(["Claude login has ended — run: iclaude refresh"]);
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now + DAY + 1, "darwin", post);
    expect(posted).toHaveLength(2);
  });
});
