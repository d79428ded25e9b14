import { describe, expect, test } from "bun:test";
import { DEFAULT_PROTECTED_PATHS } from "../../../src/base/config.ts";
import { SHELLS } from "../../../src/edges/shells.ts";
import { unquotePath } from "../../../src/guard/diff-index.ts";
import { renderStub } from "../../../src/guard/install.ts";
import { protectedPathFindings } from "../../../src/guard/path-findings.ts";
import { fileRuleOf, tokenHits } from "../../../src/guard/rules/index.ts";
import { onlyPublicPem } from "../../../src/guard/rules/paths.ts";
import { compileAllow } from "../../../src/guard/run.ts";
import { type Finding, type ScanOptions, scanDiff as scanBytes, scanText } from "../../../src/guard/scan.ts";
import { fakeToken } from "../../helpers.ts";

const scanDiff = (diff: string, o: ScanOptions): Promise<Finding[]> => scanBytes(Buffer.from(diff), o);
const options = (over: Partial<ScanOptions> = {}): ScanOptions => ({ ownTokens: [], allow: [], readBlob: async () => null, ...over });

/** A `git diff --cached -U0` of one file, as git prints it. */
function diffOf(path: string, hunks: Array<{ oldStart: number; newStart: number; removed?: string[]; added: string[] }>): string {
  const head = `diff --git a/${path} b/${path}\nindex 1111111..2222222 100644\n--- a/${path}\n+++ b/${path}\n`;
  return (
    head +
    hunks
      .map(
        (h) =>
          `@@ -${h.oldStart},${h.removed?.length ?? 0} +${h.newStart},${h.added.length} @@ fn()\n${(h.removed ?? []).map((l) => `-${l}\n`).join("")}${h.added.map((l) => `+${l}\n`).join("")}`,
      )
      .join("")
  );
}

describe("scanDiff", () => {
  test("names the line in the new file, across hunks, and only for added lines", async () => {
    const a = fakeToken("oat01");
    const b = fakeToken("api03");
    const diff = diffOf("x.ts", [
      { oldStart: 3, newStart: 3, removed: [`old ${fakeToken("ort01")}`], added: ["one", `two ${a}`] },
      { oldStart: 40, newStart: 41, added: ["a", "b", `c "${b}"`] },
    ]);
    const found = await scanDiff(diff, options());
    expect(found.map((f) => [f.path, f.line, f.id, f.shown])).toEqual([
      ["x.ts", 4, "claude-oauth-access-token", `sk-ant-oat01-…${a.slice(-4)}`],
      ["x.ts", 43, "anthropic-api-key", `sk-ant-api03-…${b.slice(-4)}`],
    ]);
  });

  test("ignores keywords in headers: a path that looks like a token, a binary file", async () => {
    const name = `${fakeToken("oat01")}.txt`;
    const diff = `diff --git a/${name} b/${name}\nnew file mode 100644\nindex 0000000..1111111\nBinary files /dev/null and b/${name} differ\n${diffOf("ok.txt", [{ oldStart: 0, newStart: 1, added: ["fine"] }])}`;
    expect(await scanDiff(diff, options())).toEqual([]);
  });

  test("an added line that starts like a header is still content", async () => {
    const token = fakeToken("ort01");
    const diff = diffOf("n.txt", [{ oldStart: 0, newStart: 1, added: [`++ b/${token}`] }]);
    expect((await scanDiff(diff, options()))[0]).toMatchObject({ path: "n.txt", line: 1, id: "claude-oauth-refresh-token" });
  });

  test("a token ends wherever its alphabet does: markup, a query string, a list, a call", () => {
    const key = fakeToken("api03");
    for (const line of [`<apiKey>${key}</apiKey>`, `?key=${key}&v=2`, `a,${key},b`, `Config(apiKey=${key})`, `{AQAAABAAA ${key}}`]) {
      expect(tokenHits(line, []).map((h) => h.shown)).toEqual([`sk-ant-api03-…${key.slice(-4)}`]);
    }
  });

  test("a very long line (a minified bundle) is read around its keywords: a token deep inside is found", async () => {
    const t = fakeToken("ort01");
    const filler = "var a=1;".repeat(20_000);
    const diff = diffOf("bundle.min.js", [{ oldStart: 0, newStart: 1, added: ["first", `${filler}k="${t}";${filler}`] }]);
    expect((await scanDiff(diff, options())).map((f) => [f.line, f.shown])).toEqual([[2, `sk-ant-ort01-…${t.slice(-4)}`]]);
  });

  test("the user's own token is reported once, as theirs, and is never allowable", () => {
    const own = fakeToken("oat01");
    const hits = tokenHits(`t=${own} iclaude:allow`, [own]);
    expect(hits).toEqual([{ id: "claude-current-token", label: "your current Claude login token", shown: `sk-ant-oat01-…${own.slice(-4)}`, allowable: false }]);
  });

  test("allowlist: a config pattern on the line or the path, or an inline iclaude:allow", async () => {
    const t = fakeToken("oat01");
    const diff = diffOf("docs/a.md", [{ oldStart: 0, newStart: 1, added: [`${t} iclaude:allow`, `${t} EXAMPLE`, t] }]);
    expect((await scanDiff(diff, options({ allow: [/EXAMPLE/] }))).map((f) => f.line)).toEqual([3]);
    expect(await scanDiff(diff, options({ allow: [/^docs\//] }))).toEqual([]);
  });

  test("a private key needs a body and an end, on several lines or one", async () => {
    const body = Buffer.from(crypto.getRandomValues(new Uint8Array(72))).toString("base64");
    const multi = diffOf("k.pem", [{ oldStart: 0, newStart: 1, added: ["-----BEGIN OPENSSH PRIVATE KEY-----", body, "-----END OPENSSH PRIVATE KEY-----"] }]);
    expect((await scanDiff(multi, options()))[0]).toMatchObject({ id: "private-key", line: 1, shown: "-----BEGIN OPENSSH PRIVATE KEY-----" });
    const inline = diffOf("c.json", [{ oldStart: 0, newStart: 1, added: [`{"key": "-----BEGIN PRIVATE KEY-----\\n${body}\\n-----END PRIVATE KEY-----\\n"}`] }]);
    expect(await scanDiff(inline, options())).toHaveLength(1);
    const bare = diffOf("d.md", [{ oldStart: 0, newStart: 1, added: ["-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"] }]);
    expect(await scanDiff(bare, options())).toEqual([]);
  });

  test("credential files are judged by their whole staged content", async () => {
    const diff = diffOf("c.json", [{ oldStart: 5, newStart: 5, added: [`  "claudeAiOauth": {`] }]);
    const blob = JSON.stringify({ claudeAiOauth: { accessToken: "x" } });
    expect((await scanDiff(diff, options({ readBlob: async () => blob })))[0]).toMatchObject({ id: "claude-credentials-file", line: 5 });
    expect(await scanDiff(diff, options({ readBlob: async () => '{"doc": "claudeAiOauth"}' }))).toEqual([]);
    expect(fileRuleOf('{"oauthAccount": {"emailAddress": "a@b"}}')?.id).toBe("claude-account-file");
    expect(fileRuleOf("not json")).toBeNull();
  });
});

describe("scanText: a commit message", () => {
  test("names the message line, masks the token, and honours iclaude:allow and [guard] allow", async () => {
    const t = fakeToken("oat01");
    const message = `subject\n\nuses ${t}\nsample ${t} iclaude:allow\n`;
    expect((await scanText(message, "commit message", { ownTokens: [], allow: [] })).map((f) => [f.source, f.path, f.line, f.shown])).toEqual([
      ["message", "commit message", 3, `sk-ant-oat01-…${t.slice(-4)}`],
    ]);
    expect(await scanText(message, "commit message", { ownTokens: [], allow: [/^commit message$/] })).toEqual([]);
    expect((await scanText(`${t} iclaude:allow`, "commit message", { ownTokens: [t], allow: [] })).map((f) => f.id)).toEqual(["claude-current-token"]);
  });
});

describe("protected paths", () => {
  const blocked = async (paths: string[], allow: RegExp[] = [], patterns = DEFAULT_PROTECTED_PATHS) =>
    (await protectedPathFindings(paths, patterns, allow)).map((f) => f.path);

  test("gitignore's reading: a bare name at any depth, a path with a slash from the root", async () => {
    expect(
      await blocked([".env", "app/.env.local", "x/.credentials.json", ".credentials.json", "certs/a.pem", "id_rsa", "a/.claude/settings.local.json"]),
    ).toEqual([".env", "app/.env.local", "x/.credentials.json", ".credentials.json", "certs/a.pem", "id_rsa", "a/.claude/settings.local.json"]);
    expect(await blocked(["src/env.ts", ".claude/settings.json", "README.md", "id_rsa.pub"])).toEqual([]);
    expect(await blocked(["a/secrets/x", "secrets/y", "b/private/z", "private/w"], [], ["secrets/", "/private/"])).toEqual([
      "a/secrets/x",
      "secrets/y",
      "private/w",
    ]);
  });

  test("an allow pattern on the path lets one through", async () => {
    expect(await blocked([".env.example", ".env"], [/^\.env\.example$/])).toEqual([".env"]);
  });

  test("a file of public PEM blocks only is no protected path; one with a key still is", async () => {
    const certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const content: Record<string, string> = {
      "certs/ca-bundle.pem": `# roots\n${certificate}${certificate}`,
      "certs/server.pem": `${certificate}-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n`,
    };
    const found = await protectedPathFindings(Object.keys(content), DEFAULT_PROTECTED_PATHS, [], async (path) => onlyPublicPem(content[path] ?? ""));
    expect(found.map((f) => f.path)).toEqual(["certs/server.pem"]);
  });
});

test("a bad allow pattern names the key and the file", () => {
  expect(() => compileAllow({ configPath: "/c.toml", guard: { allow: ["a(b"], protectedPaths: [], strictForHumans: false } })).toThrow(
    /^The config file \/c\.toml has a bad value — "guard\.allow": "a\(b" is not a regular expression/,
  );
});

test("git's quoted paths are read back byte for byte", () => {
  expect(unquotePath('"b/a\\"b\\303\\251\\tc"')).toBe('b/a"bé\tc');
  expect(unquotePath("b/plain name")).toBe("b/plain name");
});

test("the stub quotes any binary path as one shell word", async () => {
  const path = `/tmp/it's "odd" $HOME`;
  const stub = renderStub("pre-commit", path, '"$0.iclaude-legacy"');
  expect(stub).toContain(`iclaude=${SHELLS.sh.quote(path)}\n`);
  const echoed = Bun.spawnSync(["sh", "-c", `x=${SHELLS.sh.quote(path)}; printf %s "$x"`]).stdout.toString();
  expect(echoed).toBe(path);
});
