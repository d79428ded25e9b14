import { describe, expect, test } from "bun:test";
import { isPrint, streamsInput } from "../../../src/launcher/args.ts";

describe("reading claude's command line", () => {
  test("print mode: -p, --print, and p in a cluster of short flags that take no value", () => {
    for (const args of [["-p", "hi"], ["--print"], ["-cp", "hi"], ["-pc"], ["-c", "-p"], ["--model", "x", "-vcp"]]) expect(isPrint(args)).toBe(true);
  });

  test("not print mode: p as the value of a flag that takes one, after --, or absent", () => {
    for (const args of [["hi"], ["-rp"], ["-dp"], ["-cnp"], ["--", "-p"], ["-c"], ["--print-mode"], ["-p=1"]]) expect(isPrint(args)).toBe(false);
  });

  test("stream-json input, in either spelling, before --", () => {
    expect(streamsInput(["-p", "--input-format", "stream-json"])).toBe(true);
    expect(streamsInput(["--input-format=stream-json"])).toBe(true);
    expect(streamsInput(["--input-format", "text"])).toBe(false);
    expect(streamsInput(["--", "--input-format=stream-json"])).toBe(false);
  });
});
