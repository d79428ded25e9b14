import { describe, expect, test } from "bun:test";
import { extractToken, validForMs } from "../../../src/refresh/setup-token.ts";
import { fakeToken } from "../../helpers.ts";

/** What Claude Code's Ink UI puts on a terminal: coloured lines, a blank line between blocks, CRLF from the pty. */
function inkOutput(token: string, width = 80, indent = ""): string {
  const lines: string[] = [];
  for (let i = 0; i < token.length; i += width - indent.length) lines.push(`${indent}\x1b[33m${token.slice(i, i + width - indent.length)}\x1b[39m`);
  return [
    "\x1b[?25l",
    "\x1b[32m✓ Long-lived authentication token created successfully!\x1b[39m",
    "",
    "Your OAuth token (valid for 1 year):",
    "",
    ...lines,
    "",
    "\x1b[2mStore this token securely. You won't be able to see it again.\x1b[22m",
    "",
    "\x1b[2mUse this token by setting: export CLAUDE_CODE_OAUTH_TOKEN=<token>\x1b[22m",
    "\x1b[?25h",
  ].join("\r\n");
}

describe("validForMs", () => {
  test("reads 2.1.197's year and 2.1.332's N days, a year when claude says nothing", () => {
    expect(validForMs("Your OAuth token (valid for 1 year):")).toBe(365 * 86400_000);
    expect(validForMs("\x1b[1mYour OAuth token (valid for\x1b[22m 30 days):")).toBe(30 * 86400_000);
    expect(validForMs("nothing here")).toBe(365 * 86400_000);
  });
});

describe("extractToken", () => {
  test("rejoins a token the terminal wrapped at 80 columns, colours removed", () => {
    const token = fakeToken("oat01");
    expect(extractToken(inkOutput(token))).toBe(token);
  });

  test("works at any width and with indentation", () => {
    const token = fakeToken("oat01");
    for (const width of [20, 41, 79, 200]) expect(extractToken(inkOutput(token, width, "  "))).toBe(token);
  });

  test("takes the last frame when the UI redrew itself", () => {
    const token = fakeToken("oat01");
    const stale = inkOutput(fakeToken("oat01")).slice(0, 200);
    expect(extractToken(`${stale}\x1b[2K\x1b[1A\x1b[2K\x1b[G${inkOutput(token)}`)).toBe(token);
  });

  test("finds nothing in output without a whole token", () => {
    expect(extractToken("Error: OAuth flow cancelled\r\n")).toBeNull();
    expect(extractToken("Your OAuth token (valid for 1 year):\r\n\r\nsk-ant-oat01-short\r\n\r\nStore this token")).toBeNull();
    expect(extractToken("sk-ant-oat01-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA and then words")).toBeNull();
  });
});
