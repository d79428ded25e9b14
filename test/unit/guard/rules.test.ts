import { describe, expect, test } from "bun:test";
import { protectedPathFindings } from "../../../src/guard/path-findings.ts";
import { BASE64_NEEDLES } from "../../../src/guard/rules/base64.ts";
import { ALL_RULES, fileRuleOf, maskAll, tokenHits } from "../../../src/guard/rules/index.ts";
import { DEFAULT_PROTECTED_PATHS, PATH_SAMPLES } from "../../../src/guard/rules/paths.ts";
import { entropy, isPlaceholder, MIN_TOKEN_ENTROPY } from "../../../src/guard/rules/shape.ts";
import { scanText } from "../../../src/guard/scan.ts";
import { fakeToken } from "../../helpers.ts";
import { wrapBase64 } from "../../real-keys.ts";

/** The ids the engine reports for a sample: by line for token and key rules, by the whole JSON for file rules. */
async function idsFor(sample: string, kind: string): Promise<string[]> {
  if (kind === "file") return [fileRuleOf(sample)?.id].filter((id): id is string => id !== undefined);
  return (await scanText(sample, "sample", { ownTokens: [], allow: [] })).map((f) => f.id);
}

describe("every rule meets its samples (gitleaks' true and false positives)", () => {
  for (const rule of ALL_RULES) {
    const { match, noMatch } = rule.samples();
    test(`${rule.id}: ${match.length} found, ${noMatch.length} left alone`, async () => {
      expect(match.length).toBeGreaterThan(0);
      expect(noMatch.length).toBeGreaterThan(0);
      for (const sample of match) expect({ sample, ids: await idsFor(sample, rule.kind) }).toMatchObject({ ids: expect.arrayContaining([rule.id]) });
      for (const sample of noMatch) expect({ sample, ids: await idsFor(sample, rule.kind) }).toEqual({ sample, ids: expect.not.arrayContaining([rule.id]) });
    });
  }

  test("the default protected paths: every match sample blocked; templates, public keys, docs and code not", async () => {
    const blocked = async (paths: string[]) => (await protectedPathFindings(paths, DEFAULT_PROTECTED_PATHS, [])).map((f) => f.path);
    expect(await blocked(PATH_SAMPLES.match)).toEqual(PATH_SAMPLES.match);
    expect(await blocked(PATH_SAMPLES.noMatch)).toEqual([]);
  });
});

describe("telling a secret from a placeholder", () => {
  test("random bodies pass, typed ones do not", () => {
    for (let i = 0; i < 200; i++) expect(isPlaceholder(fakeToken().slice(13), MIN_TOKEN_ENTROPY)).toBe(false);
    expect(isPlaceholder("X".repeat(40), MIN_TOKEN_ENTROPY)).toBe(true);
    expect(isPlaceholder("abcdefABCDEF".repeat(3), MIN_TOKEN_ENTROPY)).toBe(true);
    expect(entropy("abab")).toBe(1);
  });

  test("the user's own token is caught even when it looks like a placeholder", () => {
    const own = `sk-ant-oat01-${"x".repeat(95)}`;
    expect(tokenHits(`t=${own}`, [])).toEqual([]);
    expect(tokenHits(`t=${own}`, [own]).map((h) => h.id)).toEqual(["claude-current-token"]);
  });
});

/** Base64 of a keyword at each of the three byte alignments, without the characters that depend on its neighbours. */
function base64Needles(keyword: string): string[] {
  return [0, 1, 2].map((k) => {
    const encoded = Buffer.concat([Buffer.alloc(k), Buffer.from(keyword)]).toString("base64");
    return encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + keyword.length)) / 6));
  });
}

describe("base64", () => {
  test("the needles are sk-ant-'s base64 at every alignment, and -----BEGIN's at the start", () => {
    expect([...BASE64_NEEDLES]).toEqual([...base64Needles("sk-ant-"), base64Needles("-----BEGIN")[0] as string]);
  });

  test("a keyword's base64 is found at any alignment and decoded", () => {
    const token = fakeToken("oat01");
    for (const pad of ["", "a", "ab"]) {
      const encoded = Buffer.from(`${pad}${token}`).toString("base64");
      expect(base64Needles("sk-ant-").some((n) => encoded.includes(n))).toBe(true);
      const hits = tokenHits(`  token: ${encoded}`, []);
      expect(hits).toEqual([expect.objectContaining({ id: "claude-oauth-access-token", shown: `sk-ant-oat01-…${token.slice(-4)} (in base64)` })]);
    }
  });

  test("a base64 PEM key (a Kubernetes tls.key), and a base64 credentials file by the token in it", () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(crypto.getRandomValues(new Uint8Array(96))).toString("base64")}\n-----END PRIVATE KEY-----\n`;
    expect(tokenHits(`  tls.key: ${Buffer.from(pem).toString("base64")}`, []).map((h) => [h.id, h.shown])).toEqual([
      ["private-key", "-----BEGIN PRIVATE KEY----- (in base64)"],
    ]);
    const token = fakeToken("ort01");
    const creds = Buffer.from(JSON.stringify({ claudeAiOauth: { refreshToken: token } }, null, 2)).toString("base64");
    expect(tokenHits(`data: ${creds}`, []).map((h) => h.id)).toEqual(["claude-oauth-refresh-token", "claude-credentials-file"]);
  });
});

test("maskAll hides every token a path holds, the user's own included", () => {
  const token = fakeToken("ort01");
  const own = `tok_${crypto.randomUUID()}`;
  const shown = maskAll(`a/${token}/${own}.txt`, [own]);
  expect(shown).toBe(`a/sk-ant-ort01-…${token.slice(-4)}/…${own.slice(-4)}.txt`);
});

describe("the user's own login in base64, wrapped as base64 and PEM wrap it", () => {
  test("found at any width from 20 columns, and unwrapped, at any byte offset", async () => {
    const [access, refresh] = [fakeToken("oat01"), fakeToken("ort01")];
    const missed: string[] = [];
    for (const pad of ["", "a", "ab"]) {
      const creds = `${pad}${JSON.stringify({ claudeAiOauth: { accessToken: access, refreshToken: refresh, expiresAt: 1 } })}`;
      for (const width of [0, 20, 32, 64, 65, 76, 100]) {
        const text = wrapBase64(creds, width);
        const ids = (await scanText(text, "creds.b64", { ownTokens: [access, refresh], allow: [] })).map((f) => f.id);
        if (!ids.includes("claude-current-token")) missed.push(`offset ${pad.length}, width ${width}: ${ids.join(", ")}`);
      }
    }
    expect(missed).toEqual([]);
  });

  test("a piece of the user's own token, cut by a line break, is reported as theirs", () => {
    const own = fakeToken("ort01");
    expect(tokenHits(`t=${own.slice(0, 60)}`, [own]).map((h) => [h.id, h.allowable])).toEqual([["claude-current-token", false]]);
  });
});
