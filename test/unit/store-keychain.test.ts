import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { loadConfig } from "../../src/core/config.ts";
import { claudeKeychainService, readKeychain } from "../../src/core/store/keychain.ts";
import { claudeKeychainItem, keychainStore, openStore, readCredentials } from "../../src/core/store/index.ts";
import { readLongLived, writeLongLived } from "../../src/core/store/long-lived.ts";
import { fakeSecurity, fakeToken, tempHome } from "../helpers.ts";

function setup(extra: Record<string, string> = {}) {
  const home = tempHome();
  const config = loadConfig({}, { HOME: home, ICLAUDE_SECURITY_BIN: fakeSecurity(home), ICLAUDE_STORE: "keychain", ...extra });
  return { home, config, item: claudeKeychainItem(config) };
}

describe("Keychain store", () => {
  test("uses Claude Code's service name, with the config dir's hash when CLAUDE_CONFIG_DIR is set", () => {
    expect(claudeKeychainService("/home/u/.claude", false)).toBe("Claude Code-credentials");
    const hash = createHash("sha256").update("/work/cfg").digest("hex").slice(0, 8);
    expect(claudeKeychainService("/work/cfg", true)).toBe(`Claude Code-credentials-${hash}`);
  });

  test("an absent item reads as no login", () => {
    const { item } = setup();
    expect(readKeychain(item)).toBeNull();
    expect(readCredentials(keychainStore(item)).file).toBeNull();
  });

  test("writes through `security -i` with -U, keeps the previous value as a backup item, and reads it back", () => {
    const { item } = setup();
    const store = keychainStore(item);
    const first = JSON.stringify({ claudeAiOauth: { accessToken: fakeToken(), scopes: [] }, mcpOAuth: { a: 1 } });
    const write = (text: string) => store.reserveWrite(text.length).commit(Buffer.from(text));
    write(first);
    write('{"claudeAiOauth":{"accessToken":"x","scopes":[]}}');
    expect(readKeychain(item)).toBe('{"claudeAiOauth":{"accessToken":"x","scopes":[]}}');
    expect(readKeychain({ ...item, service: `${item.service}-iclaude-backup` })).toBe(first);
  });

  test("auto picks the Keychain on macOS only when Claude Code's item exists", () => {
    const { config, item } = setup();
    const auto = { ...config, store: "auto" as const };
    expect(openStore(auto, "darwin").kind).toBe("file");
    keychainStore(item).reserveWrite(2).commit(Buffer.from("{}"));
    expect(openStore(auto, "darwin").kind).toBe("keychain");
    expect(openStore(auto, "linux").kind).toBe("file");
    expect(openStore({ ...config, store: "file" }, "darwin").kind).toBe("file");
  });

  test("keeps the long-lived token in its own item, never in Claude Code's", () => {
    const { config, item } = setup();
    const token = fakeToken("oat01");
    writeLongLived(config, { token, expiresAt: Date.now() + 1e10, createdAt: Date.now() });
    expect(readLongLived(config)?.token).toBe(token);
    expect(readKeychain(item)).toBeNull();
  });

  test("a security binary that cannot run is a clear error", () => {
    const { config } = setup({ ICLAUDE_SECURITY_BIN: "/nonexistent/security" });
    expect(() => readCredentials(openStore(config))).toThrow(/Cannot run \/nonexistent\/security to read the Keychain; set ICLAUDE_STORE=file/);
  });
});
