import { describe, expect, test } from "bun:test";
import { OWN_COMMANDS, route } from "../../../src/cli/route.ts";
import { CLAUDE_SUBCOMMANDS } from "../../../src/launcher/args.ts";
import { NEAR_MISSES } from "../../fixtures/typos.ts";
import { defined, ROOT } from "../../helpers.ts";

describe("route", () => {
  test("iclaude's own commands, with the rest of the words as their arguments", () => {
    for (const name of OWN_COMMANDS) {
      expect(route([name, "--json", "x"])).toEqual({ kind: "command", name, args: ["--json", "x"] });
    }
  });

  test("--refresh-token is refresh; --help, -h, help and --version are iclaude's only as the first word", () => {
    expect(route(["--refresh-token", "--force"])).toEqual({ kind: "command", name: "refresh", args: ["--force"] });
    expect(route(["--help"])).toEqual({ kind: "help", path: [] });
    expect(route(["-h"])).toEqual({ kind: "help", path: [] });
    expect(route(["help", "hooks", "run"])).toEqual({ kind: "help", path: ["hooks", "run"] });
    expect(route(["--version"])).toEqual({ kind: "version" });
    expect(route(["-p", "--help"])).toEqual({ kind: "claude", args: ["-p", "--help"] });
    expect(route(["-p", "hi", "--version"])).toEqual({ kind: "claude", args: ["-p", "hi", "--version"] });
  });

  test("everything else goes to claude untouched and in order, its own subcommands too", () => {
    expect(route([])).toEqual({ kind: "claude", args: [] });
    expect(route(["-p", "hi", "--output-format", "json"])).toEqual({ kind: "claude", args: ["-p", "hi", "--output-format", "json"] });
    expect(route(["mcp", "list"])).toEqual({ kind: "claude", args: ["mcp", "list"] });
    expect(route(["doctor"])).toEqual({ kind: "claude", args: ["doctor"] });
    expect(route(["-p", "status"])).toEqual({ kind: "claude", args: ["-p", "status"] });
  });

  test("after --, every word is claude's, even iclaude's command names and a second --", () => {
    expect(route(["--", "status"])).toEqual({ kind: "claude", args: ["status"] });
    expect(route(["--", "--version"])).toEqual({ kind: "claude", args: ["--version"] });
    expect(route(["--", "-p", "--", "refresh"])).toEqual({ kind: "claude", args: ["-p", "--", "refresh"] });
    expect(route(["--"])).toEqual({ kind: "claude", args: [] });
  });

  test("run [--] ARGS is the explicit form of the same passthrough", () => {
    expect(route(["run", "-p", "hi"])).toEqual({ kind: "claude", args: ["-p", "hi"] });
    expect(route(["run", "--", "status"])).toEqual({ kind: "claude", args: ["status"] });
    expect(route(["run"])).toEqual({ kind: "claude", args: [] });
    expect(route(["run", "--", "--", "x"])).toEqual({ kind: "claude", args: ["--", "x"] });
  });

  test("a first word one or two edits from an own word is a typo, never claude's prompt", () => {
    for (const [word, suggestion] of NEAR_MISSES) expect(route([word, "x"])).toEqual({ kind: "typo", word, suggestion });
  });

  test("prompts, short words and claude's own subcommands and flags are claude's", () => {
    for (const argv of [["fix the test"], ["hi"], ["fun"], ["edit"], ["hello"], ["tests"], ["-v"], ["--verbose"], ["-c"]]) {
      expect(route(argv)).toEqual({ kind: "claude", args: argv });
    }
    for (const sub of CLAUDE_SUBCOMMANDS) expect(route([sub])).toEqual({ kind: "claude", args: [sub] });
  });

  test("every subcommand and long flag of the installed claude's --help is claude's", () => {
    const help = Bun.spawnSync([`${ROOT}/node_modules/.bin/claude`, "--help"], { stdout: "pipe" }).stdout.toString();
    const commands = [
      ...defined(help.split(/^Commands:$/m)[1], "the Commands: section of claude --help").matchAll(/^ {2}([a-z][a-z-]*)(?:\|([a-z-]+))?/gm),
    ].flatMap((m) => [m[1], m[2]].filter(Boolean) as string[]);
    expect(commands).toContain("mcp");
    for (const name of commands) expect(CLAUDE_SUBCOMMANDS).toContain(name);
    const flags = [...help.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]);
    expect(flags.length).toBeGreaterThan(20);
    for (const flag of new Set(flags)) if (flag !== "--help" && flag !== "--version") expect(route([flag]).kind).toBe("claude");
  });
});
