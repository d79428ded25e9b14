import { describe, expect, test } from "bun:test";
import { copyFileSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IclaudeError } from "../../../src/base/errors.ts";
import { checkNotLooping, findClaude, leadsToSelf } from "../../../src/launcher/find.ts";
import { tempHome } from "../../helpers.ts";

/** A machine with iclaude installed and some `claude`s on PATH. */
function machine() {
  const root = tempHome("iclaude-find-");
  const dir = (name: string) => {
    const path = join(root, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const self = join(dir("opt/iclaude"), "iclaude");
  writeFileSync(self, "\x7fELF not really, but big enough to be no wrapper".padEnd(70_000, "x"), { mode: 0o755 });
  const script = (where: string, body: string) => {
    const path = join(dir(where), "claude");
    writeFileSync(path, body, { mode: 0o755 });
    return path;
  };
  return { root, dir, self, script };
}

const env = (...dirs: string[]) => ({ PATH: dirs.join(":") });

function expectError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(IclaudeError);
    expect((error as IclaudeError).exitCode).toBe(127);
    expect((error as IclaudeError).message).toMatch(pattern);
    return;
  }
  throw new Error("expected an IclaudeError");
}

describe("findClaude", () => {
  test("the first claude on PATH that is not iclaude", () => {
    const m = machine();
    const real = m.script("real/bin", "#!/bin/sh\necho real\n");
    m.script("later/bin", "#!/bin/sh\necho later\n");
    expect(findClaude({ claudeBin: undefined }, env(join(m.root, "empty"), join(m.root, "real/bin"), join(m.root, "later/bin")), m.self)).toBe(real);
  });

  test("skips a symlink named claude that points at iclaude", () => {
    const m = machine();
    symlinkSync(m.self, join(m.dir("alias/bin"), "claude"));
    const real = m.script("real/bin", "#!/bin/sh\necho real\n");
    expect(findClaude({ claudeBin: undefined }, env(join(m.root, "alias/bin"), join(m.root, "real/bin")), m.self)).toBe(real);
  });

  test("skips a hard link or a wrapper script that runs iclaude, by name or by path", () => {
    const m = machine();
    linkSync(m.self, join(m.dir("hard/bin"), "claude"));
    m.script("byname/bin", '#!/bin/sh\nexec iclaude "$@"\n');
    m.script("bypath/bin", `#!/bin/bash\n"${m.self}" run -- "$@"\n`);
    const real = m.script("real/bin", '#!/bin/sh\nexec node /opt/claude-code/cli.js "$@"\n');
    const path = env(...["hard/bin", "byname/bin", "bypath/bin", "real/bin"].map((d) => join(m.root, d)));
    expect(findClaude({ claudeBin: undefined }, path, m.self)).toBe(real);
  });

  test("a large file is a real claude even if it mentions iclaude", () => {
    const m = machine();
    const big = m.script("big/bin", `#!/usr/bin/env node\n// iclaude\n${"x".repeat(70_000)}`);
    expect(leadsToSelf(big, m.self)).toBe(false);
  });

  test("skips what is not an executable file", () => {
    const m = machine();
    writeFileSync(join(m.dir("noexec/bin"), "claude"), "#!/bin/sh\n", { mode: 0o644 });
    mkdirSync(join(m.dir("isdir/bin"), "claude"));
    symlinkSync(join(m.root, "nowhere"), join(m.dir("dangling/bin"), "claude"));
    const real = m.script("real/bin", "#!/bin/sh\n");
    const path = env(...["noexec/bin", "isdir/bin", "dangling/bin", "real/bin"].map((d) => join(m.root, d)));
    expect(findClaude({ claudeBin: undefined }, path, m.self)).toBe(real);
  });

  test("none found: exit 127 with the install hint, naming what was skipped", () => {
    const m = machine();
    symlinkSync(m.self, join(m.dir("alias/bin"), "claude"));
    expectError(
      () => findClaude({ claudeBin: undefined }, env(join(m.root, "alias/bin")), m.self),
      /Cannot find the real claude on PATH \(.*alias\/bin\/claude runs iclaude itself\); install Claude Code/,
    );
    expectError(() => findClaude({ claudeBin: undefined }, env(), m.self), /^Cannot find the real claude on PATH; install Claude Code .*ICLAUDE_CLAUDE_BIN/);
  });

  test("ICLAUDE_CLAUDE_BIN wins over PATH; a bare name is looked up on PATH", () => {
    const m = machine();
    m.script("real/bin", "#!/bin/sh\n");
    const chosen = m.script("chosen", "#!/bin/sh\n");
    expect(findClaude({ claudeBin: chosen }, env(join(m.root, "real/bin")), m.self)).toBe(chosen);
    copyFileSync(chosen, join(m.root, "real/bin", "claude-next"));
    expect(findClaude({ claudeBin: "claude-next" }, env(join(m.root, "real/bin")), m.self)).toBe(join(m.root, "real/bin", "claude-next"));
  });

  test("ICLAUDE_CLAUDE_BIN that is missing or leads back to iclaude is an error, never a loop", () => {
    const m = machine();
    expectError(() => findClaude({ claudeBin: join(m.root, "nope") }, env(), m.self), /not an executable file/);
    const wrapper = m.script("wrap", '#!/bin/sh\nexec iclaude "$@"\n');
    expectError(() => findClaude({ claudeBin: wrapper }, env(), m.self), /runs iclaude itself; point it at the real claude/);
    expectError(() => findClaude({ claudeBin: m.self }, env(), m.self), /runs iclaude itself/);
  });
});

describe("checkNotLooping", () => {
  test("refuses when the launcher is the direct parent, or eight launches deep", () => {
    expect(() => checkNotLooping({}, 42)).not.toThrow();
    expect(() => checkNotLooping({ ICLAUDE_LAUNCHER_PID: "41" }, 42)).not.toThrow();
    expect(() => checkNotLooping({ ICLAUDE_LAUNCHER_PID: "42" }, 42)).toThrow(/runs iclaude again; set ICLAUDE_CLAUDE_BIN/);
    expect(() => checkNotLooping({ ICLAUDE_LAUNCH_DEPTH: "7" }, 42)).not.toThrow();
    expect(() => checkNotLooping({ ICLAUDE_LAUNCH_DEPTH: "8" }, 42)).toThrow(/started claude 8 levels deep/);
    expect(() => checkNotLooping({ ICLAUDE_LAUNCH_DEPTH: "x" }, 42)).not.toThrow();
  });
});
