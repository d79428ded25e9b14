import { describe, expect, test } from "bun:test";
import { IclaudeError } from "../../../src/base/errors.ts";
import { type ProfileRefresh, worstExitCode } from "../../../src/refresh/all.ts";

describe("refresh --all's exit code", () => {
  const run = (exitCode: number | null): ProfileRefresh =>
    exitCode === null
      ? ({ profile: { dir: "/a", isDefault: false, added: true }, result: {} } as unknown as ProfileRefresh)
      : { profile: { dir: "/b", isDefault: false, added: true }, error: new IclaudeError("x", exitCode) };

  test("is the worst outcome: a person must log in outranks a failure, a failure a busy lock, that a cooldown", () => {
    expect(worstExitCode([run(null), run(null)])).toBe(0);
    expect(worstExitCode([run(22), run(null)])).toBe(22);
    expect(worstExitCode([run(23), run(22)])).toBe(23);
    expect(worstExitCode([run(21), run(23)])).toBe(21);
    expect(worstExitCode([run(21), run(20), run(null)])).toBe(20);
  });
});
