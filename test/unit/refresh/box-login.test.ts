import { describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXIT, IclaudeError } from "../../../src/base/errors.ts";
import { type AccessOnly, boxTarget, storeBoxLogin } from "../../../src/refresh/engine.ts";
import { fakeToken, HOUR, tempHome } from "../../helpers.ts";

const login = (): AccessOnly => ({
  accessToken: fakeToken("oat01"),
  expiresAt: Date.now() + 5 * HOUR,
  scopes: ["user:inference", "user:profile"],
  subscriptionType: "max",
});

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, "utf8"));

describe("storeBoxLogin", () => {
  test("a box's default dir is ~/.claude: the login goes there, onboarding into ~/.claude.json and the dir's own .claude.json", async () => {
    const home = tempHome();
    const target = boxTarget(undefined, { HOME: home });
    expect(target).toEqual({ dir: join(home, ".claude"), home });
    const access = login();
    expect(await storeBoxLogin(target, access)).toEqual({ changed: true, skipped: [] });
    expect(readJson(join(home, ".claude", ".credentials.json"))).toEqual({ claudeAiOauth: access });
    expect(readJson(join(home, ".claude.json"))).toEqual({ hasCompletedOnboarding: true });
    expect(readJson(join(home, ".claude", ".claude.json"))).toEqual({ hasCompletedOnboarding: true });
    expect(await storeBoxLogin(target, access)).toEqual({ changed: false, skipped: [] });
  });

  test("a damaged box file is replaced; its bytes are kept in .bak, both 0600", async () => {
    const home = tempHome();
    const dir = join(home, "config");
    mkdirSync(dir);
    writeFileSync(join(dir, ".credentials.json"), "{not json", { mode: 0o644 });
    const access = login();
    await storeBoxLogin({ dir, home }, access);
    expect(readFileSync(join(dir, ".credentials.json.bak"), "utf8")).toBe("{not json");
    expect(readJson(join(dir, ".credentials.json"))).toEqual({ claudeAiOauth: access });
    for (const name of [".credentials.json", ".credentials.json.bak"]) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(home, ".claude.json"))).toBe(false);
  });

  test("a symlinked credentials file is written where it points, and stays a link", async () => {
    const home = tempHome();
    const dir = join(home, "config");
    mkdirSync(dir);
    writeFileSync(join(home, "real.json"), "{}");
    symlinkSync(join(home, "real.json"), join(dir, ".credentials.json"));
    const access = login();
    await storeBoxLogin({ dir, home }, access);
    expect(readJson(join(home, "real.json"))).toEqual({ claudeAiOauth: access });
    expect(lstatSync(join(dir, ".credentials.json")).isSymbolicLink()).toBe(true);
  });

  test("a .bak that is a directory: exit 2, and the box's file is left as it was", async () => {
    const home = tempHome();
    const dir = join(home, "config");
    mkdirSync(join(dir, ".credentials.json.bak"), { recursive: true });
    writeFileSync(join(dir, ".credentials.json"), '{"claudeAiOauth":{"accessToken":"old"}}');
    const error = await storeBoxLogin({ dir, home }, login()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IclaudeError);
    expect((error as IclaudeError).exitCode).toBe(EXIT.usage);
    expect(readFileSync(join(dir, ".credentials.json"), "utf8")).toBe('{"claudeAiOauth":{"accessToken":"old"}}');
  });
});
