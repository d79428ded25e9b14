import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { expectNoSecrets, runBin, tempHome } from "../helpers.ts";

let mock: MockAnthropic;
beforeEach(() => {
  mock = startMockAnthropic();
});
afterEach(() => mock.stop());

const DEPTH = 50_000;
const SCOPES = '["user:inference","user:profile","user:sessions:claude_code"]';

/** A credentials file written byte by byte: `before` and `after` go around the login, `inside` into it. */
function home(parts: { before?: Buffer | string; inside?: Buffer | string; after?: Buffer | string; expiresAt?: number }) {
  const h = tempHome();
  const pair = mock.issuePair();
  const expiresAt = parts.expiresAt ?? Date.now() + 10 * 60_000;
  const bytes = Buffer.concat(
    [
      "{",
      parts.before ?? "",
      `"claudeAiOauth": {\n    "accessToken": "${pair.accessToken}",\n    "refreshToken": "${pair.refreshToken}",\n    "expiresAt": ${expiresAt},\n    "scopes": ${SCOPES}`,
      parts.inside ?? "",
      "\n  }",
      parts.after ?? "",
      "}\n",
    ].map((p) => (typeof p === "string" ? Buffer.from(p) : p)),
  );
  mkdirSync(join(h, ".claude"), { recursive: true });
  const path = join(h, ".claude", ".credentials.json");
  writeFileSync(path, bytes, { mode: 0o600 });
  return { home: h, pair, path, bytes, expiresAt };
}

/** What the file must be after a refresh: the old bytes with exactly the three new values put in. */
function expectOnlyThePairChanged(h: ReturnType<typeof home>): void {
  const written = readFileSync(h.path);
  const logins = [...written.toString("latin1").matchAll(/"claudeAiOauth": (\{[^}]*\})/g)];
  const oauth = JSON.parse(logins.at(-1)?.[1] ?? "{}");
  expect(mock.isAccessValid(oauth.accessToken)).toBe(true);
  const expected = Buffer.from(
    h.bytes
      .toString("latin1")
      .replace(h.pair.accessToken, oauth.accessToken)
      .replace(h.pair.refreshToken, oauth.refreshToken)
      .replace(`"expiresAt": ${h.expiresAt}`, `"expiresAt": ${oauth.expiresAt}`),
    "latin1",
  );
  expect(written.equals(expected)).toBe(true);
  expect(readFileSync(`${h.path}.bak`).equals(h.bytes)).toBe(true);
}

async function refresh(h: ReturnType<typeof home>) {
  const run = await runBin(["refresh"], { home: h.home, env: { ICLAUDE_TOKEN_URL: mock.tokenUrl }, timeoutMs: 30_000 });
  expectNoSecrets([run.stdout, run.stderr], [h.pair.accessToken, h.pair.refreshToken]);
  return run;
}

describe("unused parts nested deeper than JSON.stringify can go", () => {
  const shapes: [string, Parameters<typeof home>[0]][] = [
    ["mcpOAuth as arrays 50,000 deep", { after: `,\n  "mcpOAuth": ${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}` }],
    ["an object 50,000 deep before the login", { before: `"deep": ${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)},\n  ` }],
    ["arrays and objects mixed, with strings holding brackets", { after: `,"mix":${'[{"k":"]}[{\\"","n":'.repeat(DEPTH / 2)}0${"}]".repeat(DEPTH / 2)}` }],
    ["a deep key inside claudeAiOauth itself", { inside: `,\n    "future": ${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}` }],
  ];
  for (const [name, parts] of shapes) {
    test(`${name}: refreshed, only the pair's bytes changed, .bak byte for byte`, async () => {
      const h = home(parts);
      const run = await refresh(h);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      expectOnlyThePairChanged(h);
    });
  }
});

describe("bytes iclaude does not understand", () => {
  const latin1 = Buffer.from([0x22, 0x6e, 0x6f, 0x74, 0x65, 0x22, 0x3a, 0x22, 0xe9, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x22]);
  const cases: [string, Parameters<typeof home>[0]][] = [
    ["invalid UTF-8 in an unused top-level key", { after: Buffer.concat([Buffer.from(",\n  "), latin1]) }],
    ["invalid UTF-8 in an unused key inside claudeAiOauth", { inside: Buffer.concat([Buffer.from(",\n    "), latin1]) }],
    ["escapes, a lone surrogate and odd spacing kept as written", { before: '"odd" :\t[ "\\ud800", "\\u00e9" , 1.50e+2 ] ,\r\n', after: ',"x":{ }' }],
    ["a duplicate key: the last one, which JSON reads, is the one kept", { before: '"claudeAiOauth": {"accessToken": "stale"},\n  ' }],
  ];
  for (const [name, parts] of cases) {
    test(`${name}: survives the rewrite byte for byte`, async () => {
      const h = home(parts);
      const run = await refresh(h);
      expect(run.code).toBe(0);
      expectOnlyThePairChanged(h);
    });
  }

  test("a file the new pair would push past 1 MiB is refused before anything is sent", async () => {
    const h = home({ after: `,"pad":"${"x".repeat(1024 * 1024 - 1200)}"` });
    const sent = mock.requests.length;
    const run = await refresh(h);
    expect(run.code).toBe(21);
    expect(run.stderr).toBe(
      "iclaude: The new credentials would be larger than 1 MiB, which Claude Code refuses to read; nothing was sent and the login is unchanged.\n",
    );
    expect(mock.requests.length).toBe(sent);
    expect(readFileSync(h.path).equals(h.bytes)).toBe(true);
    expect(existsSync(`${h.path}.bak`)).toBe(false);
  });
});
