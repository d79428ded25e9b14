import { expect, test } from "bun:test";
import { onFirstUse, stringsAt } from "../../../src/base/lazy.ts";

test("stringsAt: the non-empty strings at each path, whatever else the text holds", () => {
  const text = JSON.stringify({ a: { b: "one", c: "", d: 3 }, e: ["x"], f: null });
  expect(stringsAt(text, [["a", "b"], ["a", "c"], ["a", "d"], ["e", "0"], ["f", "g"], ["missing"]])).toEqual(["one", "x"]);
  expect(stringsAt('"just a string"', [["a"]])).toEqual([]);
  expect(stringsAt("{ not json", [["a"]])).toEqual([]);
  expect(stringsAt(null, [["a"]])).toEqual([]);
});

test("onFirstUse loads once, on the first call", () => {
  let loads = 0;
  const get = onFirstUse(() => ({ n: ++loads }));
  expect(loads).toBe(0);
  expect(get()).toBe(get());
  expect(loads).toBe(1);
});
