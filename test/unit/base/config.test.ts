import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/base/config.ts";
import { tempHome } from "../../helpers.ts";

function homeWithConfig(toml?: string): string {
  const home = tempHome();
  if (toml !== undefined) {
    mkdirSync(join(home, ".config", "iclaude"), { recursive: true });
    writeFileSync(join(home, ".config", "iclaude", "config.toml"), toml);
  }
  return home;
}

describe("config", () => {
  test("defaults follow the contract", () => {
    const home = homeWithConfig();
    const c = loadConfig({}, { HOME: home });
    expect(c).toMatchObject({
      threshold: 7 * 86400,
      refreshMargin: 3600,
      cooldown: 30,
      store: "auto",
      tokenUrl: "https://platform.claude.com/v1/oauth/token",
      clientId: undefined,
      userAgent: "axios/1.15.2",
      credentialsPath: join(home, ".claude", ".credentials.json"),
      stateDir: join(home, ".local", "state", "iclaude"),
      securityBin: "/usr/bin/security",
    });
  });

  test("flag beats environment beats file beats default", () => {
    const home = homeWithConfig('threshold = "3d"\nrefresh_margin = "20m"\ncooldown = 90\n');
    expect(loadConfig({}, { HOME: home })).toMatchObject({ threshold: 3 * 86400, refreshMargin: 1200, cooldown: 90 });
    const env = { HOME: home, ICLAUDE_THRESHOLD: "2d", ICLAUDE_REFRESH_MARGIN: "10m" };
    expect(loadConfig({}, env)).toMatchObject({ threshold: 2 * 86400, refreshMargin: 600, cooldown: 90 });
    expect(loadConfig({ threshold: "1d" }, env)).toMatchObject({ threshold: 86400, refreshMargin: 600 });
  });

  test("follows CLAUDE_CONFIG_DIR, XDG dirs and ICLAUDE_* paths", () => {
    const home = homeWithConfig();
    const c = loadConfig({}, { HOME: home, CLAUDE_CONFIG_DIR: "/x/claude", XDG_STATE_HOME: "/x/state", XDG_CONFIG_HOME: "/x/config" });
    expect(c).toMatchObject({
      credentialsPath: "/x/claude/.credentials.json",
      keychainHashInput: "/x/claude",
      stateDir: "/x/state/iclaude",
      configPath: "/x/config/iclaude/config.toml",
    });
    expect(loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: "/s", ICLAUDE_CONFIG: "/nope.toml" })).toMatchObject({ stateDir: "/s", configPath: "/nope.toml" });
  });

  test("a profile's own state is told apart by its NFC dir's hash, as Claude Code suffixes its Keychain item; ~/.claude has none", () => {
    const home = homeWithConfig();
    const suffix = `-${createHash("sha256").update("/x/caf\u00e9").digest("hex").slice(0, 8)}`;
    expect(loadConfig({}, { HOME: home }).profileSuffix).toBe("");
    expect(loadConfig({}, { HOME: home, CLAUDE_CONFIG_DIR: join(home, ".claude") }).profileSuffix).toBe("");
    expect(loadConfig({}, { HOME: home, CLAUDE_CONFIG_DIR: "/x/cafe\u0301" }).profileSuffix).toBe(suffix);
    expect(loadConfig({}, { HOME: home, CLAUDE_CONFIG_DIR: "/y", CLAUDE_SECURESTORAGE_CONFIG_DIR: "/x/caf\u00e9" }).profileSuffix).toBe(suffix);
  });

  test("reports an unknown key with the file and the key, and the key it most likely meant", () => {
    const home = homeWithConfig('treshold = "7d"\n');
    expect(() => loadConfig({}, { HOME: home })).toThrow(/config\.toml has a bad value — unknown key "treshold" \(did you mean "threshold"\?\); see/);
    const guard = homeWithConfig('[guard]\nalow = ["x"]\n');
    expect(() => loadConfig({}, { HOME: guard })).toThrow(/unknown key "guard\.alow" \(did you mean "guard\.allow"\?\)/);
    expect(() => loadConfig({}, { HOME: homeWithConfig("colour = 1\n") })).toThrow(/unknown key "colour"; see/);
  });

  test("reports a bad value with the key", () => {
    expect(() => loadConfig({}, { HOME: homeWithConfig('threshold = "soon"\n') })).toThrow(/config threshold: "soon" is not a duration/);
    expect(() => loadConfig({}, { HOME: homeWithConfig('store = "cloud"\n') })).toThrow(/"store"/);
    expect(() => loadConfig({}, { HOME: homeWithConfig("[guard]\nallow = 5\n") })).toThrow(/"guard\.allow"/);
  });

  test("reports a file that is not TOML", () => {
    expect(() => loadConfig({}, { HOME: homeWithConfig("threshold = = 3\n") })).toThrow(/is not valid TOML/);
  });

  test("rejects hostile values: bad durations from the environment, a token endpoint off https", () => {
    const home = homeWithConfig();
    expect(() => loadConfig({}, { HOME: home, ICLAUDE_COOLDOWN: "$(rm -rf /)" })).toThrow(/^ICLAUDE_COOLDOWN: /);
    expect(() => loadConfig({}, { HOME: home, ICLAUDE_TOKEN_URL: "http://example.com/token" })).toThrow(/must use https/);
    expect(() => loadConfig({}, { HOME: home, ICLAUDE_TOKEN_URL: "not a url" })).toThrow(/is not a URL/);
    expect(() => loadConfig({}, { HOME: home, ICLAUDE_STORE: "cloud" })).toThrow(/ICLAUDE_STORE/);
    expect(loadConfig({}, { HOME: home, ICLAUDE_TOKEN_URL: "http://127.0.0.1:9/t" }).tokenUrl).toBe("http://127.0.0.1:9/t");
  });
});
