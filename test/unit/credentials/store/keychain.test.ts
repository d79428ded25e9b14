import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../../src/base/config.ts";
import { CLAUDE } from "../../../../src/credentials/claude.ts";
import { claudeKeychainItem, keychainStore, openStore, readCredentials } from "../../../../src/credentials/store/index.ts";
import { readKeychain, writeKeychain } from "../../../../src/credentials/store/keychain.ts";
import { readLongLived, writeLongLived } from "../../../../src/credentials/store/long-lived.ts";
import { fakeSecurity, fakeToken, tempHome } from "../../../helpers.ts";

function setup(extra: Record<string, string> = {}) {
  const home = tempHome();
  const config = loadConfig({}, { HOME: home, ICLAUDE_SECURITY_BIN: fakeSecurity(home), ICLAUDE_STORE: "keychain", ...extra });
  return { home, config, item: claudeKeychainItem(config) };
}

describe("Keychain store", () => {
  test("uses Claude Code's service name, with the config dir's hash when CLAUDE_CONFIG_DIR is set", () => {
    expect(CLAUDE.keychainService(null)).toBe("Claude Code-credentials");
    const hash = createHash("sha256").update("/work/cfg").digest("hex").slice(0, 8);
    expect(CLAUDE.keychainService("/work/cfg")).toBe(`Claude Code-credentials-${hash}`);
  });

  test("hashes the NFC form of the dir, and CLAUDE_SECURESTORAGE_CONFIG_DIR before CLAUDE_CONFIG_DIR", () => {
    const nfc = "/work/caf\u00e9";
    const hash = createHash("sha256").update(nfc).digest("hex").slice(0, 8);
    const decomposed = loadConfig({}, { HOME: "/h", CLAUDE_CONFIG_DIR: "/work/cafe\u0301" });
    expect(claudeKeychainItem(decomposed).service).toBe(`Claude Code-credentials-${hash}`);
    const secure = loadConfig({}, { HOME: "/h", CLAUDE_CONFIG_DIR: "/other", CLAUDE_SECURESTORAGE_CONFIG_DIR: "/work/cafe\u0301" });
    expect(claudeKeychainItem(secure).service).toBe(`Claude Code-credentials-${hash}`);
    expect(secure.credentialsPath).toBe(`${nfc}/.credentials.json`);
    expect(claudeKeychainItem(loadConfig({}, { HOME: "/h", CLAUDE_CONFIG_DIR: "/x", CLAUDE_SECURESTORAGE_CONFIG_DIR: "" })).service).toBe(
      "Claude Code-credentials",
    );
  });

  test("the account is $USER only when it is a plain name, as Claude Code names it", () => {
    expect(CLAUDE.keychainAccount({ USER: "jane.doe-2" })).toBe("jane.doe-2");
    expect(CLAUDE.keychainAccount({ USER: "jane doe" })).toBe("claude-code-user");
    expect(CLAUDE.keychainAccount({ USER: "jané" })).toBe("claude-code-user");
  });

  test("a value too long for `security -i` is refused, never put on a command line", () => {
    const { item } = setup();
    expect(() => writeKeychain(item, "x".repeat(2100))).toThrow(/too large for `security -i` \(4032 characters\).*nothing was sent/);
    expect(readKeychain(item)).toBeNull();
  });

  test("a locked Keychain (exit 36) says to run security unlock-keychain and changes nothing", () => {
    const { home, item } = setup();
    const locked = { ...item, bin: join(home, "locked-security") };
    writeFileSync(locked.bin, "#!/bin/sh\necho 'security: SecKeychainSearchCopyNext: User interaction is not allowed.' >&2\nexit 36\n", { mode: 0o755 });
    expect(() => readKeychain(locked)).toThrow(/locked \(as in an SSH session\); run `security unlock-keychain` and try again — nothing was changed/);
    expect(() => writeKeychain(locked, "{}")).toThrow(/security unlock-keychain/);
  });

  test("a security that never answers is killed: the read and the write each fail with a clear sentence", () => {
    const { home, item } = setup();
    const hung = { ...item, bin: join(home, "hung-security"), timeoutMs: 300 };
    writeFileSync(hung.bin, "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
    expect(() => readKeychain(hung)).toThrow(/did not answer within 0\.3 s reading the Keychain item "Claude Code-credentials"; nothing was changed/);
    expect(() => writeKeychain(hung, "{}")).toThrow(/could not be written \(.*did not answer within 0\.3 s\); the previous credentials were left as they were/);
  });

  test("an absent item reads as no login", () => {
    const { item } = setup();
    expect(readKeychain(item)).toBeNull();
    expect(readCredentials(keychainStore(item)).parsed).toBeNull();
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

  test("auto on macOS runs `security` once for the probe and the read: the probe's answer is the read", () => {
    const { home, config, item } = setup();
    keychainStore(item).reserveWrite(2).commit(Buffer.from("{}"));
    const calls = join(home, "security-calls");
    const counting = join(home, "counting-security");
    writeFileSync(counting, `#!/bin/sh\necho "$1" >> '${calls}'\nexec '${config.securityBin}' "$@"\n`, { mode: 0o755 });
    const store = openStore({ ...config, store: "auto", securityBin: counting }, "darwin");
    expect(readCredentials(store).text).toBe("{}");
    expect(readFileSync(calls, "utf8")).toBe("find-generic-password\n");
    expect(readCredentials(store).text).toBe("{}");
    expect(readFileSync(calls, "utf8")).toBe("find-generic-password\nfind-generic-password\n");
  });

  test("keeps the long-lived token in its own item, never in Claude Code's", () => {
    const { config, item } = setup();
    const token = fakeToken("oat01");
    writeLongLived(config, { token, expiresAt: Date.now() + 1e10, createdAt: Date.now() });
    expect(readLongLived(config)?.token).toBe(token);
    expect(readKeychain(item)).toBeNull();
    expect(JSON.parse(readKeychain({ ...item, service: "iclaude-long-lived-token" }) ?? "{}").token).toBe(token);
  });

  test("another profile's long-lived token has its own item, suffixed as Claude Code suffixes its own", () => {
    const { config, item } = setup({ CLAUDE_CONFIG_DIR: "/work/cfg" });
    const hash = createHash("sha256").update("/work/cfg").digest("hex").slice(0, 8);
    const token = fakeToken("oat01");
    writeLongLived(config, { token, expiresAt: Date.now() + 1e10, createdAt: Date.now() });
    expect(JSON.parse(readKeychain({ ...item, service: `iclaude-long-lived-token-${hash}` }) ?? "{}").token).toBe(token);
    expect(readKeychain({ ...item, service: "iclaude-long-lived-token" })).toBeNull();
    expect(readLongLived(config)?.token).toBe(token);
  });

  test("a security binary that cannot run is a clear error", () => {
    const { config } = setup({ ICLAUDE_SECURITY_BIN: "/nonexistent/security" });
    expect(() => readCredentials(openStore(config))).toThrow(/Cannot run \/nonexistent\/security to read the Keychain; set ICLAUDE_STORE=file/);
  });
});
