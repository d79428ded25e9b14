import { describe, expect, test } from "bun:test";
import { CLAUDE } from "../../../src/credentials/claude.ts";

describe("Claude Code's paths", () => {
  test("the config dir: CLAUDE_CONFIG_DIR when it is not empty, else ~/.claude — as the storage dir is found", () => {
    expect(CLAUDE.namedConfigDir({ CLAUDE_CONFIG_DIR: "/box/c" })).toBe("/box/c");
    expect(CLAUDE.namedConfigDir({ CLAUDE_CONFIG_DIR: "" })).toBeUndefined();
    expect(CLAUDE.defaultConfigDir("/home/a")).toBe("/home/a/.claude");
    expect(CLAUDE.storage({ CLAUDE_CONFIG_DIR: "" }, "/home/a").dir).toBe("/home/a/.claude");
    expect(CLAUDE.credentialsPath("/box/c")).toBe("/box/c/.credentials.json");
  });

  test("a profile's environment names its dir, and the default dir is left unnamed (its Keychain name has no suffix)", () => {
    expect(CLAUDE.envForConfigDir({ CLAUDE_CONFIG_DIR: "/x", HOME: "/h" }, "/h/.claude", true)).toEqual({ HOME: "/h" });
    expect(CLAUDE.envForConfigDir({ HOME: "/h" }, "/p", false)).toEqual({ HOME: "/h", CLAUDE_CONFIG_DIR: "/p" });
  });

  test("onboarding is read from the dir's .claude.json, and from ~/.claude.json when the dir is ~/.claude", () => {
    expect(CLAUDE.settingsPaths("/box/c", "/home/a")).toEqual(["/box/c/.claude.json"]);
    expect(CLAUDE.settingsPaths("/home/a/.claude/", "/home/a")).toEqual(["/home/a/.claude/.claude.json", "/home/a/.claude.json"]);
  });
});
