import { describe, expect, test } from "bun:test";
import { closest, editDistance } from "../../../src/base/did-you-mean.ts";

describe("did-you-mean", () => {
  test("counts a swap of two neighbours as one edit", () => {
    expect(editDistance("stauts", "status")).toBe(1);
    expect(editDistance("refersh", "refresh")).toBe(1);
    expect(editDistance("tokn", "token")).toBe(1);
    expect(editDistance("", "run")).toBe(3);
  });

  test("allows no edit for names of three letters, one up to four, two beyond", () => {
    expect(closest("fun", ["run"])).toBeNull();
    expect(closest("hook", ["hooks"])).toBe("hooks");
    expect(closest("edit", ["init"])).toBeNull();
    expect(closest("stat", ["status"])).toBe("status");
    expect(closest("sttaus", ["status", "token"])).toBe("status");
  });

  test("never suggests the word itself, and compares by the key given", () => {
    expect(closest("status", ["status"])).toBeNull();
    expect(closest("version", ["--version"], (w) => w.replace(/^--/, ""))).toBe("--version");
  });
});
