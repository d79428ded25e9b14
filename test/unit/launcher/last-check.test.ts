import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, loadConfig } from "../../../src/base/config.ts";
import { longLivedFile } from "../../../src/base/state-trust.ts";
import { NEXT_CHECK, NOTICE } from "../../../src/edges/contract.ts";
import { lastCheckStands } from "../../../src/launcher/last-check.ts";
import { tempHome, writeCredentials } from "../../helpers.ts";

const NOW = Date.now();
const NOW_S = Math.floor(NOW / 1000);

/**
 * A home whose last check left next-check `line` (written `writtenMs` after the credentials
 * last changed; negative: before), with its config read in the environment `env(home)`.
 */
function lastChecked(line: string | null, writtenMs = 1_000, env: (home: string) => Record<string, string> = () => ({})): Config {
  const home = tempHome("iclaude-last-check-");
  const config = loadConfig({}, { HOME: home, ...env(home) });
  writeCredentials(home, {}, {}, config.claudeConfigDir);
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  if (line !== null) {
    const path = join(config.stateDir, NEXT_CHECK.file);
    writeFileSync(path, line, { mode: 0o600 });
    const at = new Date(statSync(config.credentialsPath).ctimeMs + writtenMs);
    utimesSync(path, at, at);
  }
  return config;
}

const ahead = `${NOW_S + 1_800}\n`;
const state = (config: Config, name: string, text = "x") => writeFileSync(join(config.stateDir, name), text, { mode: 0o600 });

describe("lastCheckStands: a launch starts claude on the last check's verdict", () => {
  test("it stands while next-check is ahead and nothing has changed or needs a person", () => {
    expect(lastCheckStands(lastChecked(ahead), NOW, "linux")).toBe(true);
  });

  test("not once the time has come, nor when next-check is missing or not iclaude's", () => {
    expect(lastCheckStands(lastChecked(`${NOW_S}\n`), NOW, "linux")).toBe(false);
    expect(lastCheckStands(lastChecked(null), NOW, "linux")).toBe(false);
    expect(lastCheckStands(lastChecked("soon\n"), NOW, "linux")).toBe(false);
    expect(lastCheckStands(lastChecked(`${NOW_S + 2 * NEXT_CHECK.maxAheadS}\n`), NOW, "linux")).toBe(false);
  });

  test("not when the credentials changed after next-check was written: a new login, a logout, a login claude ended", () => {
    expect(lastCheckStands(lastChecked(ahead, -1_000), NOW, "linux")).toBe(false);
    // A file put back as it was (`cp -p`, a restore) keeps an old mtime; its ctime is when it was put back.
    const config = lastChecked(ahead);
    writeFileSync(config.credentialsPath, "{}");
    utimesSync(config.credentialsPath, new Date("2020-01-01"), new Date("2020-01-01"));
    utimesSync(join(config.stateDir, NEXT_CHECK.file), new Date("2021-01-01"), new Date("2021-01-01"));
    expect(lastCheckStands(config, NOW, "linux")).toBe(false);
  });

  test("not when there is no credentials file", () => {
    const config = lastChecked(ahead);
    rmSync(config.credentialsPath);
    expect(lastCheckStands(config, NOW, "linux")).toBe(false);
  });

  test("not when a person must hear something, nor when a long-lived token may be claude's login", () => {
    const noticed = lastChecked(ahead);
    state(noticed, NOTICE.file);
    expect(lastCheckStands(noticed, NOW, "linux")).toBe(false);
    const longLived = lastChecked(ahead);
    state(longLived, longLivedFile(longLived));
    expect(lastCheckStands(longLived, NOW, "linux")).toBe(false);
  });

  test("not for a profile other than ~/.claude, nor where the login may be in the Keychain", () => {
    expect(
      lastCheckStands(
        lastChecked(ahead, 1_000, (home) => ({ CLAUDE_CONFIG_DIR: join(home, ".claude-work") })),
        NOW,
        "linux",
      ),
    ).toBe(false);
    expect(lastCheckStands(lastChecked(ahead), NOW, "darwin")).toBe(false);
    expect(
      lastCheckStands(
        lastChecked(ahead, 1_000, () => ({ ICLAUDE_STORE: "keychain" })),
        NOW,
        "linux",
      ),
    ).toBe(false);
    expect(
      lastCheckStands(
        lastChecked(ahead, 1_000, () => ({ ICLAUDE_STORE: "file" })),
        NOW,
        "darwin",
      ),
    ).toBe(true);
  });

  test("not from a state dir other users can write to", () => {
    const config = lastChecked(ahead);
    chmodSync(config.stateDir, 0o777);
    expect(lastCheckStands(config, NOW, "linux")).toBe(false);
  });
});
