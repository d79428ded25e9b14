import { describe, expect, test } from "bun:test";
import { route } from "../../src/route.ts";

describe("route", () => {
  test("iclaude's own commands, with the rest of the words as their arguments", () => {
    for (const name of ["status", "refresh", "token", "init", "hooks", "profiles", "schedule", "broker"] as const) {
      expect(route([name, "--json", "x"])).toEqual({ kind: "command", name, args: ["--json", "x"] });
    }
  });

  test("--refresh-token is refresh; --help and --version are iclaude's only as the first word", () => {
    expect(route(["--refresh-token", "--force"])).toEqual({ kind: "command", name: "refresh", args: ["--force"] });
    expect(route(["--help"])).toEqual({ kind: "help" });
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
    expect(route(["-h"])).toEqual({ kind: "claude", args: ["-h"] });
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
});
