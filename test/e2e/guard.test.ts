import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { defined, expectNoSecrets, fakeToken, processesWith, type Run, waitFor, writeCredentials } from "../helpers.ts";
import { commitCount, makeRepo, type Repo } from "./guard-repo.ts";

/** A PEM block of the real shape, made here so no key sits in this repository. */
function fakePrivateKey(): string {
  const line = () => Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64");
  return `-----BEGIN RSA PRIVATE KEY-----\n${[1, 2, 3, 4].map(line).join("\n")}\n-----END RSA PRIVATE KEY-----\n`;
}

/** Blocked: exit 1, no new commit, the file named, the secret nowhere in the output. */
async function expectBlocked(repo: Repo, run: Run, where: string, secrets: string[], commits = 0): Promise<void> {
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("blocked");
  expect(run.stderr).toContain(where);
  expect(await commitCount(repo)).toBe(commits);
  expectNoSecrets([run.stdout, run.stderr], secrets);
}

/** A repository whose first commit, made before the guard was installed, put a token at line 1 of `path`. */
async function tokenInHistory(path: string): Promise<{ repo: Repo; token: string }> {
  const repo = await makeRepo();
  const token = fakeToken("oat01");
  expect((await repo.commit({ [path]: `${token}\nline\n` })).code).toBe(0);
  expect((await repo.iclaude(["hooks", "install"])).code).toBe(0);
  return { repo, token };
}

describe("the guard blocks secrets in what a commit adds", () => {
  test("a Claude OAuth access token: file and line named, token masked", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    const run = await repo.commit({ "src/app.ts": `const a = 1;\nconst b = 2;\nconst token = "${token}";\n` });
    await expectBlocked(repo, run, "src/app.ts:3  Claude OAuth access token sk-ant-oat01-…", [token]);
    expect(run.stderr).toContain(`…${token.slice(-4)}`);
  });

  test("a Claude OAuth refresh token", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("ort01");
    await expectBlocked(repo, await repo.commit({ "notes.md": `refresh: ${token}\n` }), "notes.md:1  Claude OAuth refresh token", [token]);
  });

  test("Anthropic API and admin keys", async () => {
    const repo = await makeRepo({ install: true });
    const api = fakeToken("api03");
    const admin = fakeToken("admin01");
    const run = await repo.commit({ ".env.example": `ANTHROPIC_API_KEY=${api}\nADMIN='${admin}'\n` });
    await expectBlocked(repo, run, ".env.example:1  Anthropic API key", [api, admin]);
    expect(run.stderr).toContain(".env.example:2  Anthropic admin API key");
  });

  test("Claude Code's credential files, by content whatever their name", async () => {
    const repo = await makeRepo({ install: true });
    const home = repo.home;
    const creds = writeCredentials(join(home, "elsewhere"));
    const oauth = creds.claudeAiOauth as Record<string, string>;
    const run = await repo.commit({
      "backup/creds.json": JSON.stringify(creds, null, 2),
      ".claude.json": JSON.stringify({ oauthAccount: { emailAddress: "a@b.c" } }),
    });
    await expectBlocked(repo, run, "backup/creds.json:2  Claude Code credentials file", [oauth.accessToken as string, oauth.refreshToken as string]);
    expect(run.stderr).toContain(".claude.json:1  Claude Code account file");
  });

  test("a credentials file whose name holds a space (git ends such a path with a tab)", async () => {
    const repo = await makeRepo({ install: true });
    const creds = writeCredentials(join(repo.home, "elsewhere"));
    const oauth = creds.claudeAiOauth as Record<string, string>;
    const run = await repo.commit({ "my creds.json": JSON.stringify(creds, null, 2) });
    await expectBlocked(repo, run, "my creds.json:2  Claude Code credentials file", [oauth.accessToken as string, oauth.refreshToken as string]);
  });

  test("a private key block, but not a lone header in prose", async () => {
    const repo = await makeRepo({ install: true });
    const key = fakePrivateKey();
    const run = await repo.commit({ "deploy/key.txt": `# key\n${key}` });
    await expectBlocked(repo, run, "deploy/key.txt:2  private key -----BEGIN RSA PRIVATE KEY-----", [key.split("\n")[1] as string]);
    await repo.git(["reset", "-q"]);
    const prose = await repo.commit({ "docs.md": "Keys start with -----BEGIN RSA PRIVATE KEY----- and end with a footer.\n" });
    expect(prose.code).toBe(0);
  });

  test("the user's own current tokens by exact value, whatever their shape, beyond any allowlist", async () => {
    const repo = await makeRepo({ install: true });
    const odd = `tok_${crypto.randomUUID().replaceAll("-", "")}`;
    writeCredentials(repo.home, { accessToken: odd });
    mkdirSync(join(repo.home, ".config", "iclaude"), { recursive: true });
    writeFileSync(join(repo.home, ".config", "iclaude", "config.toml"), `[guard]\nallow = ["fixture"]\n`);
    const run = await repo.commit({ "fixture.txt": `x = ${odd} # iclaude:allow\n` });
    await expectBlocked(repo, run, "fixture.txt:1  your current Claude login token", [odd]);
  });

  test("own tokens are found in a credentials file Claude Code could not read, and in a rescued pair", async () => {
    const repo = await makeRepo({ install: true });
    const odd = `tok_${crypto.randomUUID().replaceAll("-", "")}`;
    // `scopes` of the wrong type: status calls this file invalid; the token in it is still the user's.
    writeCredentials(repo.home, { accessToken: odd, scopes: "all" as unknown as string[] });
    expect((await repo.iclaude(["status"])).stdout).toContain("invalid");
    const run = await repo.commit({ "a.txt": `x = ${odd}\n` });
    await expectBlocked(repo, run, "a.txt:1  your current Claude login token", [odd]);
    // The pair a failed write left in the state dir (named by the store's fingerprint, as rescue.ts writes it).
    const location = join(repo.home, ".claude", ".credentials.json");
    const rescued = `tok_${crypto.randomUUID().replaceAll("-", "")}`;
    const name = `rescued-login-${new Bun.CryptoHasher("sha256").update(location).digest("hex").slice(0, 16)}.json`;
    const state = defined(repo.env.ICLAUDE_STATE_DIR);
    mkdirSync(state, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(state, name),
      JSON.stringify({ spent: "x", location, accessToken: rescued, refreshToken: fakeToken("ort01"), expiresAt: Date.now(), scopes: [] }),
      { mode: 0o600 },
    );
    await repo.git(["reset", "-q"]);
    const late = await repo.commit({ "b.txt": `y = ${rescued}\n` });
    await expectBlocked(repo, late, "b.txt:1  your current Claude login token", [rescued]);
  });

  test("credentials this user cannot read (root's after `sudo claude /login`) still leave the environment's token and the long-lived one found", async () => {
    const repo = await makeRepo({ install: true });
    // A directory where the file should be: the read fails as a permission error would (the tests run as root).
    mkdirSync(join(repo.home, ".claude", ".credentials.json"), { recursive: true });
    const fromEnv = `tok_${crypto.randomUUID().replaceAll("-", "")}`;
    const run = await repo.commit({ "a.txt": `x = ${fromEnv} # iclaude:allow\n` }, { CLAUDE_CODE_OAUTH_TOKEN: fromEnv });
    await expectBlocked(repo, run, "a.txt:1  your current Claude login token", [fromEnv]);
    const longLived = `tok_${crypto.randomUUID().replaceAll("-", "")}`;
    const state = defined(repo.env.ICLAUDE_STATE_DIR);
    mkdirSync(state, { recursive: true, mode: 0o700 });
    writeFileSync(join(state, "long-lived-token.json"), JSON.stringify({ token: longLived, expiresAt: Date.now() + 86400_000, createdAt: Date.now() }), {
      mode: 0o600,
    });
    await repo.git(["reset", "-q"]);
    const late = await repo.commit({ "b.txt": `y = ${longLived} # iclaude:allow\n` });
    await expectBlocked(repo, late, "b.txt:1  your current Claude login token", [longLived]);
  });

  test("a clean commit passes silently", async () => {
    const repo = await makeRepo({ install: true });
    const run = await repo.commit({ "a.txt": "hello sk-ant- docs, PRIVATE KEY headers\n" });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(await commitCount(repo)).toBe(1);
  });

  test("only added lines count: a token already in the history does not block an edit elsewhere", async () => {
    const { repo, token } = await tokenInHistory("old.txt");
    expect((await repo.commit({ "old.txt": `${token}\nline changed\n` })).code).toBe(0);
    expect(await commitCount(repo)).toBe(2);
  });

  test("a renamed file is judged by what it adds, not by what it carried over", async () => {
    const { repo, token: old } = await tokenInHistory("a/old.txt");
    mkdirSync(join(repo.dir, "b"));
    mkdirSync(join(repo.dir, "c"));
    await repo.git(["mv", "a/old.txt", "b/new.txt"]);
    expect((await repo.git(["commit", "-q", "-m", "move"])).code).toBe(0);
    const added = fakeToken("ort01");
    await repo.git(["mv", "b/new.txt", "c/newer.txt"]);
    await expectBlocked(repo, await repo.commit({ "c/newer.txt": `${old}\nline\n${added}\n` }), "c/newer.txt:3", [old, added], 2);
  });

  test("what is staged is scanned, not the working tree", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    repo.write("a.txt", `key ${token}\n`);
    await repo.git(["add", "a.txt"]);
    repo.write("a.txt", `key ${"x".repeat(token.length)}\n`);
    await expectBlocked(repo, await repo.git(["commit", "-q", "-m", "edited out after staging"]), "a.txt:1", [token]);
    await repo.git(["reset", "-q"]);
    repo.write("b.txt", "clean\n");
    await repo.git(["add", "b.txt"]);
    repo.write("b.txt", `key ${token}\n`);
    expect((await repo.git(["commit", "-q", "-m", "edited in after staging"])).code).toBe(0);
  });

  test("paths that read as pathspec magic, globs or options are each scanned as themselves", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    const names = [":lead", "a)b", "st*r", "[x]", "-dash", " sp", "new\nline"];
    for (const name of names) repo.write(name, `x ${token}\n`);
    await repo.git(["add", "-A"]);
    const run = await repo.git(["commit", "-q", "-m", "odd names"]);
    await expectBlocked(repo, run, "Claude OAuth access token", [token]);
    expect(run.stderr.match(/:1 {2}Claude OAuth access token/g)).toHaveLength(names.length);
  });

  test("a path that is not UTF-8, a symlink and a line-ending conversion are all still scanned", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    const latin1 = Buffer.from(`${repo.dir}/caf\xe9.txt`, "latin1");
    writeFileSync(latin1, `key ${token}\n`);
    await repo.git(["add", "-A"]);
    await expectBlocked(repo, await repo.git(["commit", "-q", "-m", "latin1 name"]), "caf", [token]);
    await repo.git(["reset", "-q"]);
    rmSync(latin1);
    symlinkSync(token, join(repo.dir, "link"));
    await repo.git(["add", "link"]);
    await expectBlocked(repo, await repo.git(["commit", "-q", "-m", "link"]), "link:1", [token]);
    await repo.git(["rm", "-q", "--cached", "link"]);
    await repo.git(["config", "core.autocrlf", "true"]);
    await expectBlocked(repo, await repo.commit({ "crlf.txt": `one\r\nkey ${token}\r\n` }), "crlf.txt:2", [token]);
  });

  test("git commit -a and git commit <path> are scanned through git's temporary index", async () => {
    const repo = await makeRepo({ install: true });
    expect((await repo.commit({ "a.txt": "a\n", "b.txt": "b\n" })).code).toBe(0);
    const token = fakeToken("oat01");
    repo.write("a.txt", `a\n${token}\n`);
    await expectBlocked(repo, await repo.git(["commit", "-q", "-a", "-m", "all"]), "a.txt:2", [token], 1);
    await expectBlocked(repo, await repo.git(["commit", "-q", "-m", "one", "a.txt"]), "a.txt:2", [token], 1);
  });

  test("a real binary (NUL bytes) is still searched for the token shapes", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    writeFileSync(join(repo.dir, "blob.bin"), Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(token), Buffer.from([0, 0xff])]));
    await repo.git(["add", "blob.bin"]);
    await expectBlocked(repo, await repo.git(["commit", "-q", "-m", "bin"]), "blob.bin:1  Claude OAuth access token", [token]);
    await repo.git(["reset", "-q"]);
    writeFileSync(join(repo.dir, "clean.bin"), Buffer.from([0, 1, 2, 0, 0x73, 0x6b, 0xff, 0]));
    await repo.git(["add", "clean.bin"]);
    expect((await repo.git(["commit", "-q", "-m", "clean binary"])).code).toBe(0);
  });

  test("git commit --no-verify is still blocked, and a clean one still passes", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    const run = await repo.commit({ "a.ts": `k = "${token}"\n` }, {}, ["--no-verify"]);
    await expectBlocked(repo, run, "a.ts:1", [token]);
    expect(run.stderr).toContain("--no-verify");
    await repo.git(["reset", "-q"]);
    expect((await repo.commit({ "b.ts": "ok\n" }, {}, ["--no-verify"])).code).toBe(0);
  });

  test("false positives: an allow pattern in config, or iclaude:allow on the line", async () => {
    const repo = await makeRepo({ install: true });
    mkdirSync(join(repo.home, ".config", "iclaude"), { recursive: true });
    writeFileSync(join(repo.home, ".config", "iclaude", "config.toml"), `[guard]\nallow = ['^test/fixtures/']\n`);
    const a = fakeToken("api03");
    const b = fakeToken("oat01");
    const run = await repo.commit({ "test/fixtures/keys.txt": `${a}\n`, "src/example.ts": `const sample = "${b}"; // iclaude:allow\n` });
    expect(run.code).toBe(0);
    expect(await commitCount(repo)).toBe(1);
  });

  test("a bad allow pattern is named in one sentence and blocks", async () => {
    const repo = await makeRepo({ install: true });
    mkdirSync(join(repo.home, ".config", "iclaude"), { recursive: true });
    writeFileSync(join(repo.home, ".config", "iclaude", "config.toml"), `[guard]\nallow = ['(unclosed']\n`);
    const run = await repo.commit({ "a.txt": "x\n" });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('"guard.allow": "(unclosed" is not a regular expression');
  });
});

describe("agent commits", () => {
  test("an agent (CLAUDECODE=1) may not commit .env; a person may", async () => {
    const repo = await makeRepo({ install: true });
    const agent = await repo.commit({ ".env": "DEBUG=1\n" }, { CLAUDECODE: "1" });
    await expectBlocked(repo, agent, ".env  protected path (.env)", []);
    expect(agent.stderr).toContain("made by Claude Code");
    expect((await repo.git(["commit", "-q", "-m", "by a person"])).code).toBe(0);
  });

  test("an agent's --no-verify does not get a protected path through", async () => {
    const repo = await makeRepo({ install: true });
    const run = await repo.commit({ "certs/server.pem": "not really a key\n" }, { GEMINI_CLI: "1" }, ["--no-verify"]);
    await expectBlocked(repo, run, "certs/server.pem  protected path (*.pem)", []);
  });

  test("strict_for_humans applies the agent rules to people too", async () => {
    const repo = await makeRepo({ install: true });
    mkdirSync(join(repo.home, ".config", "iclaude"), { recursive: true });
    writeFileSync(join(repo.home, ".config", "iclaude", "config.toml"), "[guard]\nstrict_for_humans = true\nprotected_paths = ['secrets/']\n");
    await expectBlocked(repo, await repo.commit({ "secrets/a.txt": "x\n" }), "secrets/a.txt  protected path (secrets/)", []);
    await repo.git(["reset", "-q"]);
    expect((await repo.commit({ ".env": "A=1\n" })).code).toBe(0);
  });

  test("skip switches stop the guard for a person, never for an agent", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("oat01");
    const switches: Array<Record<string, string>> = [{ SKIP: "lint,iclaude" }, { HUSKY: "0" }, { LEFTHOOK: "0" }];
    for (const skip of switches) {
      const run = await repo.commit({ "a.ts": `${token}\n` }, { ...skip, CODEX_SANDBOX: "seatbelt" });
      await expectBlocked(repo, run, "a.ts:1", [token]);
      expect(run.stderr).toContain("is ignored: this commit is made by Codex");
    }
    const person = await repo.git(["commit", "-q", "-m", "mine"], { SKIP: "iclaude" });
    expect(person.code).toBe(0);
    expect(person.stderr).toContain("SKIP=iclaude is set: this commit was not checked for secrets");
  });

  test("an Aider commit is recognised from its author name", async () => {
    const repo = await makeRepo({ install: true });
    const run = await repo.commit({ id_ed25519: "not really a key\n" }, {}, ["--author", "Tester (aider) <t@example.com>"]);
    await expectBlocked(repo, run, "id_ed25519  protected path (id_ed25519)", []);
  });

  describe("keeping the agent's Claude login alive", () => {
    let mock: MockAnthropic;
    beforeEach(() => {
      mock = startMockAnthropic();
    });
    afterEach(() => mock.stop());

    test("a due login is refreshed in the background; the commit neither waits nor fails", async () => {
      const repo = await makeRepo({ install: true });
      const pair = mock.issuePair();
      writeCredentials(repo.home, { ...pair, expiresAt: Date.now() + 10 * 60_000 });
      const sent = mock.requests.length;
      const run = await repo.commit({ "a.txt": "work\n" }, { CLAUDECODE: "1", ICLAUDE_TOKEN_URL: mock.tokenUrl });
      expect(run).toMatchObject({ code: 0, stderr: "" });
      await waitFor(() => mock.requests.length > sent);
      expect(mock.requests.length).toBe(sent + 1);
      expectNoSecrets([run.stdout, run.stderr], [pair.accessToken, pair.refreshToken]);
    });

    test("before next-check has come, an agent's commit starts no refresh, as a prompt would not", async () => {
      const repo = await makeRepo({ install: true });
      writeCredentials(repo.home, { ...mock.issuePair(), expiresAt: Date.now() + 10 * 60_000 });
      const state = defined(repo.env.ICLAUDE_STATE_DIR);
      mkdirSync(state, { recursive: true, mode: 0o700 });
      writeFileSync(join(state, "next-check"), `${Math.floor(Date.now() / 1000) + 600}\n`, { mode: 0o600 });
      const sent = mock.requests.length;
      const run = await repo.commit({ "a.txt": "work\n" }, { CLAUDECODE: "1", ICLAUDE_TOKEN_URL: mock.tokenUrl });
      expect(run).toMatchObject({ code: 0, stderr: "" });
      await waitFor(() => processesWith("ICLAUDE_STATE_DIR", state).length === 0);
      expect(mock.requests.length).toBe(sent);
    });
  });
});
