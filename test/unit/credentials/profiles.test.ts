import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/base/config.ts";
import { EXIT } from "../../../src/base/errors.ts";
import {
  addProfile,
  listProfiles,
  profilesPath,
  profilesToVisit,
  profileToOffer,
  rememberProfileOffer,
  removeProfile,
} from "../../../src/credentials/profiles.ts";
import { iclaudeErrorOf, tempHome, writeCredentials } from "../../helpers.ts";

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
    expect(iclaudeErrorOf(() => addProfile(join(home, "nope"), env)).message).toBe(
      `Cannot add ${join(home, "nope")}: it does not exist; give the Claude Code config dir (what CLAUDE_CONFIG_DIR names).`,
    );
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
