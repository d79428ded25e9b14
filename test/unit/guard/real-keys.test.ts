import { describe, expect, test } from "bun:test";
import { scanText } from "../../../src/guard/scan.ts";
import { layouts, pasted, realKeys } from "../../real-keys.ts";

const ids = async (text: string) => (await scanText(text, "sample", { ownTokens: [], allow: [] })).map((f) => f.id);

/** The keys, each in each of `shapes`, that are not found by exactly their rule. */
async function missed(shapes: (key: string) => Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (const key of await realKeys()) {
    for (const [shape, text] of Object.entries(shapes(key.text))) {
      const found = await ids(text);
      if (found.length !== 1 || found[0] !== key.rule) out.push(`${key.name}, ${shape}: ${found.join(", ") || "nothing"}`);
    }
  }
  return out;
}

describe("keys made by the real tools at test time", () => {
  test("each is found by its rule, plain and pasted into JSON and YAML", async () => {
    expect(await missed(pasted)).toEqual([]);
  });

  test("each is found however it is laid out", async () => {
    expect(await missed(layouts)).toEqual([]);
  });
});
