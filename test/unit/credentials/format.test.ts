import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isEndedLogin, parseCredentials, serializeCredentials, withNewTokens } from "../../../src/credentials/format.ts";
import { fakeToken, iclaudeErrorOf, tempHome } from "../../helpers.ts";

const sample = () => ({
  claudeAiOauth: {
    accessToken: fakeToken("oat01"),
    refreshToken: fakeToken("ort01"),
    expiresAt: 1_800_000_000_000,
    scopes: ["user:inference", "user:profile"],
    subscriptionType: "max",
    rateLimitTier: "default_claude_max_20x",
    futureField: { nested: [1, 2] },
  },
  mcpOAuth: { "server|abc": { accessToken: "x", expiresAt: 1 } },
  somethingNew: true,
});

describe("credentials", () => {
  test("keeps every unknown key, top level and inside claudeAiOauth, through a read–write cycle", () => {
    const original = sample();
    const bytes = Buffer.from(JSON.stringify(original, null, 2));
    const parsed = parseCredentials(bytes.toString(), "f");
    const next = withNewTokens(parsed, { accessToken: "sk-ant-oat01-new", refreshToken: "sk-ant-ort01-new", expiresAt: 5, scopes: ["a"] });
    const written = JSON.parse(serializeCredentials(next, { bytes, parsed }).toString());
    expect(written.mcpOAuth).toEqual(original.mcpOAuth);
    expect(written.somethingNew).toBe(true);
    expect(written.claudeAiOauth.rateLimitTier).toBe("default_claude_max_20x");
    expect(written.claudeAiOauth.futureField).toEqual({ nested: [1, 2] });
    expect(written.claudeAiOauth.subscriptionType).toBe("max");
    expect(written.claudeAiOauth).toMatchObject({ accessToken: "sk-ant-oat01-new", refreshToken: "sk-ant-ort01-new", expiresAt: 5, scopes: ["a"] });
  });

  test("rewrites only the values that changed; a member the file lacks is added, the rest keeps its bytes", () => {
    const bytes = Buffer.from('{ "a" : [ 1 ,2 ],\n"claudeAiOauth":{"accessToken":"old","refreshToken":"r","scopes":["x"],"z":{"k":"\\u00e9"}} }');
    const parsed = parseCredentials(bytes.toString(), "f");
    const next = withNewTokens(parsed, { accessToken: "new", refreshToken: "r", expiresAt: 7, scopes: ["x"] });
    expect(serializeCredentials(next, { bytes, parsed }).toString()).toBe(
      '{ "a" : [ 1 ,2 ],\n"claudeAiOauth":{"accessToken":"new","refreshToken":"r","scopes":["x"],"z":{"k":"\\u00e9"},"expiresAt":7} }',
    );
  });

  test("keeps an access token the answer could not give", () => {
    const parsed = parseCredentials(JSON.stringify(sample()), "f");
    const kept = parsed.claudeAiOauth?.accessToken;
    const next = withNewTokens(parsed, { accessToken: null, refreshToken: "sk-ant-ort01-new", expiresAt: 5, scopes: [] });
    expect([next.claudeAiOauth?.accessToken, next.claudeAiOauth?.refreshToken]).toEqual([kept, "sk-ant-ort01-new"]);
  });

  test("says where truncated JSON breaks, without echoing the content", () => {
    const text = JSON.stringify(sample(), null, 2);
    const error = iclaudeErrorOf(() => parseCredentials(text.slice(0, 120), "/h/.credentials.json"));
    expect(error.exitCode).toBe(14);
    expect(error.message).toContain("/h/.credentials.json is not valid JSON");
    expect(error.message).not.toContain("sk-ant-");
  });

  test("offers the backup only when there is one", () => {
    const dir = tempHome();
    const path = join(dir, ".credentials.json");
    expect(iclaudeErrorOf(() => parseCredentials("{", path)).message).toEndWith("; log in again with `claude /login`.");
    writeFileSync(`${path}.bak`, "{}");
    expect(iclaudeErrorOf(() => parseCredentials("{", path)).message).toContain(`; restore it from ${path}.bak or log in again`);
  });

  test("calls an empty file empty", () => {
    expect(iclaudeErrorOf(() => parseCredentials("", "f")).message).toContain("it is empty");
  });

  test("names the field of a wrongly typed credential", () => {
    const bad = sample() as Record<string, unknown>;
    (bad.claudeAiOauth as Record<string, unknown>).expiresAt = "tomorrow";
    const error = iclaudeErrorOf(() => parseCredentials(JSON.stringify(bad), "f"));
    expect(error.message).toContain("claudeAiOauth.expiresAt");
    expect(iclaudeErrorOf(() => parseCredentials("[1,2]", "f")).message).toContain("the top level");
    expect(iclaudeErrorOf(() => parseCredentials('{"claudeAiOauth":{"scopes":[]}}', "f")).message).toContain("claudeAiOauth.accessToken");
  });

  test("a file with no Claude login parses, with no claudeAiOauth", () => {
    expect(parseCredentials('{"mcpOAuth":{}}', "f").claudeAiOauth).toBeUndefined();
  });

  test("refuses to serialise a credential without a refresh token or expiry", () => {
    const file = parseCredentials(JSON.stringify({ claudeAiOauth: { accessToken: "a", scopes: [] } }), "f");
    expect(iclaudeErrorOf(() => serializeCredentials(file, { bytes: null, parsed: null })).message).toContain("incomplete");
  });

  test("reads a file Claude Code blanked as an ended login, and still refuses other empty tokens", () => {
    const blanked = parseCredentials(JSON.stringify({ claudeAiOauth: { accessToken: "", refreshToken: "", expiresAt: 0, scopes: [] } }), "f");
    expect(isEndedLogin(blanked.claudeAiOauth ?? { accessToken: "x" })).toBe(true);
    const marked = parseCredentials(JSON.stringify({ claudeAiOauth: { accessToken: "", refreshToken: "", expiresAt: 0, loginEnded: "time_limit" } }), "f");
    expect(marked.claudeAiOauth?.loginEnded).toBe("time_limit");
    expect(
      iclaudeErrorOf(() => parseCredentials(JSON.stringify({ claudeAiOauth: { accessToken: "", refreshToken: fakeToken("ort01") } }), "f")).message,
    ).toContain("claudeAiOauth.accessToken: it is empty");
  });

  test("keeps refreshTokenExpiresAt as Claude Code does: min(old, answer), none stays none, loginEnded dropped", () => {
    const tokens = { accessToken: "a", refreshToken: "r", expiresAt: 1, scopes: [], refreshTokenExpiresAt: 2_000 };
    const withEnd = (end?: number) => ({
      claudeAiOauth: { ...sample().claudeAiOauth, ...(end === undefined ? {} : { refreshTokenExpiresAt: end }), loginEnded: "time_limit" },
    });
    expect(withNewTokens(withEnd(5_000), tokens).claudeAiOauth?.refreshTokenExpiresAt).toBe(2_000);
    expect(withNewTokens(withEnd(1_000), tokens).claudeAiOauth?.refreshTokenExpiresAt).toBe(1_000);
    expect(withNewTokens(withEnd(1_000), { ...tokens, refreshTokenExpiresAt: undefined }).claudeAiOauth?.refreshTokenExpiresAt).toBe(1_000);
    const none = withNewTokens(withEnd(), tokens).claudeAiOauth;
    expect(none && "refreshTokenExpiresAt" in none).toBe(false);
    expect(none && "loginEnded" in none).toBe(false);
  });
});
