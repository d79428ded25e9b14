import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectNoSecrets, fakeToken, type Run, writeCredentials } from "../helpers.ts";
import { commitCount, makeRepo, type Repo } from "./guard-repo.ts";

/** Each body is drawn afresh: no realistic token is committed anywhere. */
const URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const body = (n: number, alphabet = URL_SAFE): string => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => alphabet[b % alphabet.length]).join("");
const ALNUM = URL_SAFE.slice(0, 62);
const BASE64 = `${ALNUM}+/`;
const shaped = (kind: string) => `sk-ant-${kind}-${body(93)}AA`;

async function expectBlocked(repo: Repo, run: Run, lines: string[], secrets: string[]): Promise<void> {
  expect(run.code).toBe(1);
  for (const line of lines) expect(run.stderr).toContain(line);
  expect(await commitCount(repo)).toBe(0);
  expectNoSecrets([run.stdout, run.stderr], secrets);
}

const masked = (token: string) => `${/^sk-ant-[a-z]+\d{2}-/.exec(token)?.[0] ?? ""}…${token.slice(-4)}`;

describe("files git calls binary are scanned", () => {
  test("a lock file marked -diff, an env file marked binary, a file over core.bigFileThreshold", async () => {
    const repo = await makeRepo({ install: true });
    const [a, b, c] = [fakeToken("oat01"), fakeToken("ort01"), fakeToken("api03")];
    repo.write(".gitattributes", "package-lock.json -diff\n*.env.sample binary\n");
    await repo.git(["config", "core.bigFileThreshold", "1k"]);
    const run = await repo.commit({
      "package-lock.json": `{\n  "resolved": "https://registry.test/x?token=${a}"\n}\n`,
      "prod.env.sample": `KEY=${b}\n`,
      "big.txt": `${"filler line\n".repeat(200)}key = ${c}\n`,
    });
    await expectBlocked(
      repo,
      run,
      ["package-lock.json:2  Claude OAuth access token", "prod.env.sample:1  Claude OAuth refresh token", "big.txt:201  Anthropic API key"],
      [a, b, c],
    );
  });

  test("UTF-16 files, little- and big-endian, with a byte-order mark or none", async () => {
    const repo = await makeRepo({ install: true });
    const [le, be, bare] = [fakeToken("oat01"), fakeToken("api03"), fakeToken("ort01")];
    const utf16 = (text: string, big: boolean) => {
      const bytes = Buffer.from(`\uFEFF${text}`, "utf16le");
      return big ? bytes.swap16() : bytes;
    };
    writeFileSync(join(repo.dir, "le.txt"), utf16(`first line\r\nexport TOKEN=${le}\r\n`, false));
    writeFileSync(join(repo.dir, "be.txt"), utf16(`KEY=${be}\n`, true));
    writeFileSync(join(repo.dir, "bare.txt"), Buffer.from(`T=${bare}\n`, "utf16le"));
    await repo.git(["add", "-A"]);
    const run = await repo.git(["commit", "-q", "-m", "utf16"]);
    await expectBlocked(
      repo,
      run,
      ["le.txt:2  Claude OAuth access token", "be.txt:1  Anthropic API key", "bare.txt:1  Claude OAuth refresh token"],
      [le, be, bare],
    );
  });

  test("a binary holding a token as UTF-16 (as Windows resources store strings), no byte-order mark", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("ort01");
    writeFileSync(
      join(repo.dir, "tool.exe"),
      Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0]), Buffer.from(`Token=${token}`, "utf16le"), Buffer.alloc(64)]),
    );
    await repo.git(["add", "tool.exe"]);
    await expectBlocked(repo, await repo.git(["commit", "-q", "-m", "exe"]), ["tool.exe:1  Claude OAuth refresh token"], [token]);
  });
});

describe("token boundaries: what agents' files look like", () => {
  test("markup, query strings, lists, calls and braces end a token", async () => {
    const repo = await makeRepo({ install: true });
    const keys = [1, 2, 3, 4, 5].map(() => fakeToken("api03"));
    const text = [`<apiKey>${keys[0]}</apiKey>`, `GET /v1?key=${keys[1]}&v=2`, `a,${keys[2]},b`, `Config(apiKey=${keys[3]})`, `{AQAAABAAA ${keys[4]}}`].join(
      "\n",
    );
    const run = await repo.commit({ "settings.xml": `${text}\n` });
    await expectBlocked(
      repo,
      run,
      keys.map((k, i) => `settings.xml:${i + 1}  Anthropic API key ${masked(k)}`),
      keys,
    );
  });

  test("a transcript line with a JSON escape, an asciinema cast, a URL-encoded curl log", async () => {
    const repo = await makeRepo({ install: true });
    const [a, b, c] = [fakeToken("oat01"), fakeToken("ort01"), fakeToken("oat01")];
    const run = await repo.commit({
      "session.jsonl": `${JSON.stringify({ type: "tool_result", content: `ok\n${a}\r\n` })}\n`,
      "demo.cast": `{"version": 2}\n[0.52, "o", "$ export T=\\r\\n${b}\\r\\n"]\n`,
      "trace.log": `curl -H "Authorization:%20Bearer%20${c}" https://api.test\n`,
    });
    await expectBlocked(
      repo,
      run,
      ["session.jsonl:1  Claude OAuth access token", "demo.cast:2  Claude OAuth refresh token", "trace.log:1  Claude OAuth access token"],
      [a, b, c],
    );
  });
});

describe("the commit message is scanned", () => {
  test("git commit -m with a token is blocked, with and without --no-verify, the token masked", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    repo.write("a.txt", "clean\n");
    await repo.git(["add", "a.txt"]);
    for (const flags of [[], ["--no-verify"]]) {
      const run = await repo.git(["commit", "-q", ...flags, "-m", `use ${token} for now`]);
      await expectBlocked(repo, run, [`commit message:1  Claude OAuth access token ${masked(token)}`, "Write the commit message again"], [token]);
    }
    expect((await repo.git(["commit", "-q", "--no-verify", "-m", "fine"])).code).toBe(0);
  });

  test("a message typed in the editor is scanned by commit-msg", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("ort01");
    const editor = join(repo.home, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\nprintf 'subject\\n\\nrefresh with ${token}\\n' > "$1"\n`, { mode: 0o755 });
    repo.write("a.txt", "clean\n");
    await repo.git(["add", "a.txt"]);
    const run = await repo.git(["commit", "-q"], { GIT_EDITOR: editor });
    await expectBlocked(repo, run, ["commit message:3  Claude OAuth refresh token"], [token]);
  });
});

test("git commit -v: the diff below the scissors line is not the message, so removing a token passes", async () => {
  const repo = await makeRepo();
  const token = fakeToken("oat01");
  expect((await repo.commit({ "old.txt": `${token}\nkeep\n` })).code).toBe(0);
  expect((await repo.iclaude(["hooks", "install"])).code).toBe(0);
  const editor = join(repo.home, "editor.sh");
  writeFileSync(editor, `#!/bin/sh\n{ echo "remove the token"; cat "$1"; } > "$1.new" && mv "$1.new" "$1"\n`, { mode: 0o755 });
  repo.write("old.txt", "keep\n");
  await repo.git(["add", "old.txt"]);
  const run = await repo.git(["commit", "-q", "-v"], { GIT_EDITOR: editor });
  expect(run).toMatchObject({ code: 0, stderr: "" });
  expect(await commitCount(repo)).toBe(2);
});

describe("shapes", () => {
  test("api04, admin03, a claude.ai session key, an unknown kind", async () => {
    const repo = await makeRepo({ install: true });
    const keys = [shaped("api04"), shaped("admin03"), shaped("sid01"), shaped("new01")];
    const run = await repo.commit({ "keys.txt": `${keys.join("\n")}\n` });
    const labels = ["Anthropic API key", "Anthropic admin API key", "claude.ai session key", "Anthropic key of an unknown kind"];
    await expectBlocked(
      repo,
      run,
      labels.map((l, i) => `keys.txt:${i + 1}  ${l} ${masked(keys[i] as string)}`),
      keys,
    );
  });

  test("an SSH2 key and a PuTTY .ppk key", async () => {
    const repo = await makeRepo({ install: true });
    const lines = [1, 2, 3, 4].map(() => body(70, BASE64));
    const ssh2 = `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "rsa-key-20260101"\n${lines.join("\n")}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n`;
    const priv = body(48, BASE64);
    const ppk = `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: work\nPublic-Lines: 2\n${body(64, BASE64)}\n${body(20, BASE64)}\nPrivate-Lines: 1\n${priv}\nPrivate-MAC: ${body(64, "0123456789abcdef")}\n`;
    const run = await repo.commit({ "keys/work.ssh2": ssh2, "keys/work.txt": ppk });
    await expectBlocked(
      repo,
      run,
      ["keys/work.ssh2:1  private key ---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", "keys/work.txt:1  PuTTY private key PuTTY-User-Key-File-3: ssh-ed25519"],
      [...lines, priv],
    );
  });

  test("base64 of a token in a Kubernetes Secret, a credentials file with a UTF-8 BOM, a token as a file name", async () => {
    const repo = await makeRepo({ install: true });
    const [a, b, c] = [fakeToken("oat01"), fakeToken("ort01"), fakeToken("oat01")];
    const secret = `apiVersion: v1\nkind: Secret\ndata:\n  token: ${Buffer.from(a).toString("base64")}\n`;
    const creds = `\uFEFF${JSON.stringify({ claudeAiOauth: { accessToken: b, expiresAt: 1 } }, null, 2)}`;
    const run = await repo.commit({ "k8s/secret.yaml": secret, "backup/creds.json": creds, [`tokens/${c}.txt`]: "x\n" });
    await expectBlocked(
      repo,
      run,
      [
        `k8s/secret.yaml:4  Claude OAuth access token ${masked(a)} (in base64)`,
        "backup/creds.json:2  Claude Code credentials file",
        `tokens/${masked(c)}.txt  Claude OAuth access token in the file name`,
        "rename the file or directory whose name holds the secret",
      ],
      [a, b, c, Buffer.from(a).toString("base64")],
    );
  });
});

describe("other agents' logins, committed by anyone", () => {
  test("Codex CLI's auth.json, Gemini CLI's oauth_creds.json, OpenAI keys", async () => {
    const repo = await makeRepo({ install: true });
    const jwt = () => `eyJ${body(30)}.eyJ${body(120)}.${body(43)}`;
    const codex = {
      OPENAI_API_KEY: null,
      tokens: { id_token: jwt(), access_token: jwt(), refresh_token: `rt_${body(60)}`, account_id: "acct" },
      last_refresh: "2026-11-30T10:00:00Z",
    };
    const google = {
      access_token: `ya29.a0${body(150)}`,
      refresh_token: `1//0${body(100)}`,
      scope: "openid",
      token_type: "Bearer",
      expiry_date: 1_796_000_000_000,
    };
    const proj = `sk-proj-${body(74)}T3BlbkFJ${body(74)}`;
    const legacy = `sk-${body(20, ALNUM)}T3BlbkFJ${body(20, ALNUM)}`;
    const run = await repo.commit({
      "backup/auth.json": JSON.stringify(codex, null, 2),
      "creds/oauth_creds.json": JSON.stringify(google, null, 2),
      ".env.example": `OPENAI_API_KEY=${proj}\nLEGACY=${legacy}\n`,
    });
    await expectBlocked(
      repo,
      run,
      [
        "backup/auth.json:6  Codex CLI login (auth.json)",
        "creds/oauth_creds.json:2  Google OAuth access token ya29.…",
        "creds/oauth_creds.json:3  Google OAuth refresh token 1//0…",
        ".env.example:1  OpenAI API key sk-proj-…",
        ".env.example:2  OpenAI API key sk-…",
      ],
      [codex.tokens.access_token, codex.tokens.refresh_token, google.access_token, google.refresh_token, proj, legacy],
    );
    expect(run.stderr).toContain("creds/oauth_creds.json:3  Google OAuth login");
  });
});

describe("protected paths for agents: anywhere, any case, templates and public keys allowed", () => {
  test("blocked wherever they are", async () => {
    const repo = await makeRepo({ install: true });
    const paths = ["app/.claude/settings.local.json", "prod.env", "config/secrets.env", ".ENV", "home/.codex/auth.json"];
    const run = await repo.commit(Object.fromEntries(paths.map((p) => [p, "{}\n"])), { CLAUDECODE: "1" });
    await expectBlocked(repo, run, [...paths.map((p) => `${p}  protected path`), "Unstage the file (git reset -q -- <file>)"], []);
    expect(run.stderr).not.toContain("iclaude:allow");
  });

  test("templates, direnv's .envrc and public keys pass", async () => {
    const repo = await makeRepo({ install: true });
    const run = await repo.commit(
      { ".env.example": "KEY=\n", "app/.env.sample": "A=\n", ".env.template": "B=\n", ".envrc": "use flake\n", "id_rsa.pub": "ssh-ed25519 AAAA me\n" },
      { CLAUDECODE: "1" },
    );
    expect(run).toMatchObject({ code: 0, stderr: "" });
  });
});

describe("placeholders are not secrets", () => {
  test("README placeholders pass; the user's own token in the same shape does not", async () => {
    const repo = await makeRepo({ install: true });
    const readme = [
      `CLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat01-${"X".repeat(95)}`,
      "CLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat01-your-token-goes-here-replace",
      "ANTHROPIC_API_KEY=sk-ant-api03-xxxx…AA",
      `ANTHROPIC_API_KEY=sk-ant-api03-${"x".repeat(93)}AA`,
      "-----BEGIN RSA PRIVATE KEY-----",
      "REPLACE_WITH_YOUR_PRIVATE_KEY_CONTENTS_ON_THESE_LINES_PLEASE_DO_NOT_COMMIT",
      "-----END RSA PRIVATE KEY-----",
      `OPENAI_API_KEY=sk-proj-${"x".repeat(64)}`,
    ].join("\n");
    expect((await repo.commit({ "README.md": `${readme}\n` })).code).toBe(0);
    const own = `sk-ant-oat01-${"X".repeat(94)}Q`;
    writeCredentials(repo.home, { accessToken: own });
    const run = await repo.commit({ "notes.md": `token ${own}\n` });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("notes.md:1  your current Claude login token");
    expectNoSecrets([run.stderr], [own]);
  });
});
