import { describe, expect, test } from "bun:test";
import { exitCodeOf } from "../../../src/launcher/spawn.ts";

describe("exitCodeOf", () => {
  test("claude's code, or 128+n for a death by signal", () => {
    expect(exitCodeOf(0, null)).toBe(0);
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(null, "SIGTERM")).toBe(143);
    expect(exitCodeOf(null, "SIGINT")).toBe(130);
    expect(exitCodeOf(null, "SIGKILL")).toBe(137);
  });
});
