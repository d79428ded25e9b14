import { expect, test } from "bun:test";
import { checkArgv, positionalArgs, repeated } from "../../../src/cli/argv.ts";
import { resolveNode } from "../../../src/cli/tree.ts";
import { command } from "../../../src/commands/_shared.ts";
import type { IclaudeCommand } from "../../../src/commands/index.ts";

const run = command({
  meta: { name: "run", description: "d" },
  args: { hook: { type: "positional", required: true, valueHint: "a|b", description: "d" }, file: { type: "positional", required: false, description: "d" } },
  run: () => 0,
});
const withFlag = command({ meta: { name: "x", description: "d" }, args: { force: { type: "boolean", description: "d" } }, run: () => 0 });

test("a positional-only leaf gets citty's arguments without citty: each positional by name, all in _", async () => {
  const root = await resolveNode(command({ meta: { name: "hooks", description: "d" }, subCommands: { run } }), ["hooks"]);
  const words = ["run", "a", "msg", "extra"];
  const leaf = checkArgv(root, words.slice(0, 3));
  expect(positionalArgs(root, leaf, words.slice(0, 3))).toEqual({ _: ["a", "msg"], hook: "a", file: "msg" });
  expect(positionalArgs(root, leaf, ["run", "a"])).toEqual({ _: ["a"], hook: "a" });
});

test("citty parses whenever there is more to it: a flag, a setup, a parent's own run", async () => {
  const flagged = await resolveNode(command({ meta: { name: "p", description: "d" }, subCommands: { x: withFlag } }), ["p"]);
  expect(positionalArgs(flagged, checkArgv(flagged, ["x"]), ["x"])).toBeNull();
  const setUp = await resolveNode(command({ meta: { name: "p", description: "d" }, setup: () => {}, subCommands: { run } }), ["p"]);
  expect(positionalArgs(setUp, checkArgv(setUp, ["run", "a"]), ["run", "a"])).toBeNull();
  const parentRuns = await resolveNode(command({ meta: { name: "p", description: "d" }, run: () => 0, subCommands: { run } }), ["p"]);
  expect(positionalArgs(parentRuns, checkArgv(parentRuns, ["run", "a"]), ["run", "a"])).toBeNull();
  const leaf = await resolveNode(run as IclaudeCommand, ["run"]);
  expect(positionalArgs(leaf, leaf, ["a", "-"])).toBeNull();
});

test("a flag given more than once keeps every value, in both spellings and in order", () => {
  expect(repeated(["--profile", "/a", "--socket", "/s", "--profile=/b", "--profile", "/c"], "profile")).toEqual(["/a", "/b", "/c"]);
  expect(repeated(["--socket", "/s"], "profile")).toEqual([]);
  expect(repeated(["--profiles", "/a", "--profile-x=/b"], "profile")).toEqual([]);
});
