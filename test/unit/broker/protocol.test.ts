import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../src/base/config.ts";
import { peerAllowed } from "../../../src/broker/peer.ts";
import { encode, parseAnswer, parseRequest, type TokenAnswer, tokenAnswer } from "../../../src/broker/protocol.ts";
import { assess, isUsable } from "../../../src/credentials/assessment.ts";
import { HOUR, tempHome, writeCredentials } from "../../helpers.ts";

describe("broker protocol", () => {
  test("the token answer is picked from the verdict: the stored refresh token cannot travel", () => {
    const home = tempHome();
    const written = writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR }, { mcpOAuth: { secret: "kept-home" } });
    const a = assess(loadConfig({}, { HOME: home }), {});
    if (!isUsable(a)) throw new Error("expected a usable login");
    const line = encode(tokenAnswer("/p", a));
    const oauth = written.claudeAiOauth as { accessToken: string; refreshToken: string };
    expect(line).not.toContain(oauth.refreshToken);
    expect(line).not.toContain("kept-home");
    expect(Object.keys(JSON.parse(line)).sort()).toEqual(["accessToken", "expiresAt", "ok", "profile", "scopes", "subscriptionType", "v"]);
    expect(parseAnswer(line)).toMatchObject({ ok: true, accessToken: oauth.accessToken });
  });

  test("a refresh token in an answer is a type error, and a client rejects such an answer", () => {
    const answer: TokenAnswer = { v: 1, ok: true, profile: "/p", accessToken: "a", expiresAt: null, scopes: [], subscriptionType: null };
    // @ts-expect-error TokenAnswer has no room for a refresh token.
    const leaky: TokenAnswer = { ...answer, refreshToken: "sk-ant-ort01-x" };
    expect(parseAnswer(JSON.stringify(leaky))).toBeNull();
    expect(parseAnswer(JSON.stringify(answer))).toEqual(answer);
  });

  test("only a version 1 token request is a request", () => {
    expect(parseRequest('{"v":1,"op":"token"}')).toEqual({ v: 1, op: "token" });
    expect(parseRequest('{"v":1,"op":"token","profile":"/home/me/.claude"}')).toEqual({ v: 1, op: "token", profile: "/home/me/.claude" });
    for (const line of ['{"v":2,"op":"token"}', '{"v":1,"op":"sync"}', '{"v":1,"op":"token","extra":1}', '{"op":"token"}', "[]", "", "{"]) {
      expect(parseRequest(line)).toBeNull();
    }
  });

  test("the broker's own user and root may ask; another uid may not, nor a peer the OS could not name", () => {
    expect(peerAllowed({ pid: 1, uid: 1000, gid: 1000 }, 1000)).toBe(true);
    expect(peerAllowed({ pid: 1, uid: 0, gid: 0 }, 1000)).toBe(true);
    expect(peerAllowed({ pid: 1, uid: 1001, gid: 1000 }, 1000)).toBe(false);
    expect(peerAllowed(null, 1000)).toBe(false);
  });
});
