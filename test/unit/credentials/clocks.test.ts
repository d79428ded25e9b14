import { describe, expect, test } from "bun:test";
import { formatDuration, parseDuration } from "../../../src/base/durations.ts";
import { judge } from "../../../src/credentials/clocks.ts";

const now = 1_800_000_000_000;
const limits = { threshold: 7 * 86400, refreshMargin: 3600 };
const H = 3_600_000;
const D = 24 * H;

describe("durations", () => {
  test.each([
    ["90s", 90],
    ["30m", 1800],
    ["12h", 43200],
    ["7d", 604800],
    ["3600", 3600],
    [3600, 3600],
    ["0", 0],
    [" 5m ", 300],
  ])("%p is %p seconds", (input, seconds) => {
    expect(parseDuration(input, "x")).toBe(seconds);
  });

  test.each(["", "1.5h", "-5m", "5 m", "1w", "abc", "9999999999999d", "1h30m"])("rejects %p with a sentence naming the source", (input) => {
    expect(() => parseDuration(input, "ICLAUDE_THRESHOLD")).toThrow(/^ICLAUDE_THRESHOLD: .* is not a duration; write it like 90s, 30m, 12h, 7d/);
  });

  test("formats what a person needs", () => {
    expect(formatDuration(5 * 3600 + 12 * 60 + 5)).toBe("5h 12m");
    expect(formatDuration(23 * 86400 + 100)).toBe("23 days");
    expect(formatDuration(86400 + 7200)).toBe("1 day 2h");
    expect(formatDuration(2 * 86400 + 23 * 3600 + 59)).toBe("2 days 23h");
    expect(formatDuration(3 * 86400)).toBe("3 days");
    expect(formatDuration(29 * 86400 + 23 * 3600)).toBe("30 days");
    expect(formatDuration(45)).toBe("45s");
  });
});

describe("the two clocks", () => {
  const refreshable = (accessIn: number, loginIn: number | null) =>
    judge({ accessExpiresAt: now + accessIn, refreshExpiresAt: loginIn === null ? null : now + loginIn, refreshable: true }, now, limits);

  test("valid with more than the margin and the threshold left", () => {
    expect(refreshable(2 * H, 30 * D)).toMatchObject({ status: "valid", action: "none" });
    expect(refreshable(2 * H, null)).toMatchObject({ status: "valid", loginExpiresAt: null });
  });

  test("a passed refreshTokenExpiresAt is only Claude Code's estimate: a due refresh is still tried", () => {
    expect(refreshable(H - 1, -D)).toMatchObject({ status: "refresh-due", action: "refresh" });
    expect(refreshable(5 * H, -D)).toMatchObject({ status: "login-expiring", action: "login", loginExpiresAt: now - D });
  });

  test("refresh is due exactly inside the margin, and once expired", () => {
    expect(refreshable(H, 30 * D).status).toBe("valid");
    expect(refreshable(H - 1, 30 * D)).toMatchObject({ status: "refresh-due", action: "refresh" });
    expect(refreshable(-5 * H, 30 * D).status).toBe("refresh-due");
  });

  test("the login clock warns inside the threshold and ends at refreshTokenExpiresAt", () => {
    expect(refreshable(5 * H, 7 * D).status).toBe("valid");
    expect(refreshable(5 * H, 7 * D - 1)).toMatchObject({ status: "login-expiring", action: "login" });
    expect(refreshable(5 * H, 0)).toMatchObject({ status: "login-expiring", action: "login" });
  });

  test("a due refresh is reported before an expiring login: iclaude can act on it now", () => {
    expect(refreshable(10 * 60_000, 2 * D).status).toBe("refresh-due");
  });

  test("without a refresh token the access token's end is the login's end", () => {
    const longLived = (accessIn: number) => judge({ accessExpiresAt: now + accessIn, refreshExpiresAt: null, refreshable: false }, now, limits);
    expect(longLived(300 * D)).toMatchObject({ status: "valid", loginExpiresAt: now + 300 * D });
    expect(longLived(3 * D)).toMatchObject({ status: "login-expiring", action: "login" });
    expect(longLived(30 * 60_000).status).toBe("login-expiring");
    expect(longLived(-1).status).toBe("expired");
  });

  test("an unknown expiry is valid: nothing to judge", () => {
    expect(judge({ accessExpiresAt: null, refreshExpiresAt: null, refreshable: false }, now, limits).status).toBe("valid");
  });
});
