import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expectNoSecrets, fakeToken, type Run, writeCredentials } from "../helpers.ts";
import { layouts, pasted, type RealKey, realKeys } from "../real-keys.ts";
import { commitCount, makeRepo, type Repo } from "./guard-repo.ts";

/** Blocked: exit 1, no new commit, each line in the output, no secret in it. */
async function expectBlocked(repo: Repo, run: Run, lines: string[], secrets: string[]): Promise<void> {
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 1, stderr: expect.stringContaining("blocked") });
  for (const line of lines) expect(run.stderr).toContain(line);
  expect(await commitCount(repo)).toBe(0);
  expectNoSecrets([run.stdout, run.stderr], secrets);
}

/** A key's secret lines: every body line long enough to tell, never shown by the guard. */
const bodyOf = (key: string): string[] => key.split("\n").filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
/** The line a key's header is on (openssl ecparam writes its parameters first). */
const headerLine = (text: string): number => text.split("\n").findIndex((l) => /PRIVATE KEY|PuTTY-User-Key-File/.test(l)) + 1;
const LABEL: Record<RealKey["rule"], string> = { "private-key": "private key", "putty-private-key": "PuTTY private key" };

describe("a key of every type the real tools make, committed by a person under an innocent name", () => {
  test("plain, in JSON and in YAML: each blocked at its header's line", async () => {
    for (const key of await realKeys()) {
      const repo = await makeRepo({ install: true });
      const files = pasted(key.text);
      const run = await repo.commit({ "notes/k.txt": files.plain as string, "notes/k.json": files.JSON as string, "notes/k.yaml": files.YAML as string });
      const where = (path: string) =>
        `${path}:${headerLine(files[path.endsWith("txt") ? "plain" : path.endsWith("json") ? "JSON" : "YAML"] as string)}  ${LABEL[key.rule]}`;
      await expectBlocked(repo, run, ["notes/k.txt", "notes/k.json", "notes/k.yaml"].map(where), bodyOf(key.text));
    }
  });
});

describe("a key reformatted the way people paste it", () => {
  const names = Object.keys(layouts("-----BEGIN X-----\n-----END X-----\n"));
  for (const name of names) {
    test(name, async () => {
      const keys = (await realKeys()).filter((k) => ["ssh-keygen -t ed25519 (OpenSSH)", "openssl genrsa -traditional"].includes(k.name));
      const repo = await makeRepo({ install: true });
      const run = await repo.commit(Object.fromEntries(keys.map((k, i) => [`notes/k${i}.txt`, layouts(k.text)[name] as string])));
      await expectBlocked(
        repo,
        run,
        keys.map((_, i) => `notes/k${i}.txt:`),
        keys.flatMap((k) => bodyOf(k.text)),
      );
    });
  }
});

describe("the user's own login, base64-encoded by the real tool", () => {
  for (const width of [0, 64, 76]) {
    test(`base64 -w ${width} ~/.claude/.credentials.json`, async () => {
      const repo = await makeRepo({ install: true });
      const creds = writeCredentials(repo.home) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
      const encoded = Bun.spawnSync(["base64", "-w", String(width), join(repo.home, ".claude", ".credentials.json")]).stdout.toString();
      const run = await repo.commit({ "notes/backup.b64": encoded });
      const { accessToken, refreshToken } = creds.claudeAiOauth;
      await expectBlocked(
        repo,
        run,
        ["notes/backup.b64:", "your current Claude login token"],
        [accessToken, refreshToken, ...encoded.split("\n").filter((l) => l.length >= 40)],
      );
    });
  }
});

describe("git am and git rebase --apply", () => {
  /** A patch made in another repository, adding `files` with `message`. */
  async function patchFrom(files: Record<string, string>, message: string): Promise<string> {
    const source = await makeRepo();
    await source.commit({ README: "base\n" });
    for (const [path, text] of Object.entries(files)) source.write(path, text);
    await source.git(["add", "-A"]);
    await source.git(["commit", "-q", "-m", message]);
    const patch = join(source.home, "change.patch");
    writeFileSync(patch, (await source.git(["format-patch", "-1", "--stdout"])).stdout);
    return patch;
  }

  test("git am of a patch adding a token is blocked by pre-applypatch; one with a token in its message by applypatch-msg", async () => {
    const [a, b] = [fakeToken("oat01"), fakeToken("api03")];
    const repo = await makeRepo();
    await repo.commit({ README: "base\n" });
    expect((await repo.iclaude(["hooks", "install"])).code).toBe(0);
    const byContent = await repo.git(["am", "-q", await patchFrom({ "notes/k.txt": `token = ${a}\n` }, "add notes")]);
    expect(byContent.code).not.toBe(0);
    expect(byContent.stderr).toContain("notes/k.txt:1  Claude OAuth access token");
    expectNoSecrets([byContent.stdout, byContent.stderr], [a]);
    expect(await commitCount(repo)).toBe(1);
    await repo.git(["am", "--abort"]);
    const byMessage = await repo.git(["am", "-q", await patchFrom({ "notes/clean.txt": "clean\n" }, `add notes\n\nkey ${b}`)]);
    expect(byMessage.code).not.toBe(0);
    expect(byMessage.stderr).toContain("commit message:3  Anthropic API key");
    expectNoSecrets([byMessage.stdout, byMessage.stderr], [b]);
    expect(await commitCount(repo)).toBe(1);
  });

  test("git rebase --apply replays a commit adding a token: blocked", async () => {
    const token = fakeToken("ort01");
    const repo = await makeRepo();
    await repo.commit({ README: "base\n" });
    await repo.git(["checkout", "-q", "-b", "side"]);
    await repo.commit({ "notes/k.txt": `${token}\n` });
    await repo.git(["checkout", "-q", "main"]);
    await repo.commit({ "other.txt": "x\n" });
    expect((await repo.iclaude(["hooks", "install"])).code).toBe(0);
    const run = await repo.git(["rebase", "--apply", "main", "side"]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("notes/k.txt:1  Claude OAuth refresh token");
    expectNoSecrets([run.stdout, run.stderr], [token]);
  });
});

describe("Git LFS: the content behind the pointer is scanned", () => {
  test("a file tracked by the real git-lfs", async () => {
    const repo = await makeRepo({ install: true });
    expect((await repo.git(["lfs", "install", "--local"])).code).toBe(0);
    await repo.git(["lfs", "track", "*.bin"]);
    expect((await repo.commit({ ".gitattributes": readFileSync(join(repo.dir, ".gitattributes"), "utf8") })).code).toBe(0);
    const token = fakeToken("oat01");
    const run = await repo.commit({ "assets/blob.bin": `header\nAPI=${token}\n` });
    expect((await repo.git(["show", ":assets/blob.bin"])).stdout).toStartWith("version https://git-lfs.github.com/spec/v1");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("assets/blob.bin:2  Claude OAuth access token");
    expect(run.stderr).toContain("(in the Git LFS object)");
    expectNoSecrets([run.stdout, run.stderr], [token]);
    expect(await commitCount(repo)).toBe(1);
  });

  test("a pointer and its object made by hand, as git-lfs lays them out", async () => {
    const repo = await makeRepo({ install: true });
    const token = fakeToken("api03");
    const content = Buffer.from(`model weights\nkey: ${token}\n`);
    const oid = new Bun.CryptoHasher("sha256").update(content).digest("hex");
    repo.write(join(".git", "lfs", "objects", oid.slice(0, 2), oid.slice(2, 4), oid), content.toString());
    const run = await repo.commit({ "model.safetensors": `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${content.length}\n` });
    await expectBlocked(repo, run, ["model.safetensors:2  Anthropic API key"], [token]);
  });
});

describe("odd names, sizes and encodings", () => {
  const jwt = () => `eyJ${fakeToken().slice(13, 50)}.eyJ${fakeToken().slice(13)}.${fakeToken().slice(13, 56)}`;
  const codex = () => ({
    OPENAI_API_KEY: null,
    tokens: { id_token: jwt(), access_token: jwt(), refresh_token: `rt_${fakeToken().slice(13)}`, account_id: "acct" },
  });

  test("a Codex login named 2:auth.json (read by blob id, not as index stage 2)", async () => {
    const repo = await makeRepo({ install: true });
    const login = codex();
    const run = await repo.commit({ "2:auth.json": JSON.stringify(login, null, 2) });
    await expectBlocked(repo, run, ["2:auth.json:", "Codex CLI login"], [login.tokens.access_token, login.tokens.refresh_token]);
  });

  test("Codex and Claude logins padded past 1 MiB", async () => {
    const repo = await makeRepo({ install: true });
    const login = codex();
    const pad = " ".repeat(1_200_000);
    const claude = `{${pad}"claudeAiOauth": {"accessToken": "", "refreshToken": "", "expiresAt": 0}, "note": "${"x".repeat(1_100_000)}"}`;
    const run = await repo.commit({
      "backup/a.json": `{"pad": "${"z".repeat(1_500_000)}",\n"tokens": ${JSON.stringify(login.tokens)}}\n`,
      "backup/b.json": claude,
    });
    await expectBlocked(repo, run, ["backup/a.json:2  Codex CLI login", "backup/b.json:1  Claude Code credentials file"], [login.tokens.refresh_token]);
  });

  test("UTF-32 text, little- and big-endian with a byte-order mark, and without one", async () => {
    const repo = await makeRepo({ install: true });
    const utf32 = (text: string, big: boolean) => {
      const out = Buffer.alloc(text.length * 4);
      for (const [i, c] of [...text].entries()) {
        if (big) out.writeUInt32BE(c.codePointAt(0) as number, i * 4);
        else out.writeUInt32LE(c.codePointAt(0) as number, i * 4);
      }
      return out;
    };
    const [le, be, bare] = [fakeToken("oat01"), fakeToken("api03"), fakeToken("ort01")];
    writeFileSync(join(repo.dir, "le.txt"), utf32(`\uFEFFfirst\nTOKEN=${le}\n`, false));
    writeFileSync(join(repo.dir, "be.txt"), utf32(`\uFEFFKEY=${be}\n`, true));
    writeFileSync(join(repo.dir, "bare.txt"), utf32(`T=${bare}\n`, false));
    await repo.git(["add", "-A"]);
    const run = await repo.git(["commit", "-q", "-m", "utf32"]);
    await expectBlocked(
      repo,
      run,
      ["le.txt:2  Claude OAuth access token", "be.txt:1  Anthropic API key", "bare.txt:1  Claude OAuth refresh token"],
      [le, be, bare],
    );
  });
});

describe("protected paths for agents, read as people mean them", () => {
  test("a loader, a test named after a key, a CA bundle of certificates and docs about .env pass", async () => {
    const repo = await makeRepo({ install: true });
    const dir = join(repo.home, "ca");
    mkdirSync(dir);
    const made = Bun.spawnSync(
      ["openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", join(dir, "key"), "-out", join(dir, "cert"), "-subj", "/CN=test", "-days", "1"],
      { stderr: "pipe" },
    );
    expect(made.exitCode).toBe(0);
    const certificate = readFileSync(join(dir, "cert"), "utf8");
    const run = await repo.commit(
      {
        "src/id_rsa_loader.go": "package src\n\nfunc Load() {}\n",
        "pkg/id_ed25519_test.go": "package pkg\n",
        "certs/ca-bundle.pem": `# test roots\n${certificate}${certificate}`,
        "docs/.env.md": "# The .env file\n\nSet `API_URL` there.\n",
      },
      { CLAUDECODE: "1" },
    );
    expect(run).toMatchObject({ code: 0, stderr: "" });
  });

  test("id_rsa, id_rsa.old, .env and .env.local are still blocked", async () => {
    const repo = await makeRepo({ install: true });
    const paths = ["keys/id_rsa", "keys/id_rsa.old", ".env", "app/.env.local"];
    const run = await repo.commit(Object.fromEntries(paths.map((p) => [p, "x\n"])), { CLAUDECODE: "1" });
    await expectBlocked(
      repo,
      run,
      paths.map((p) => `${p}  protected path`),
      [],
    );
  });
});
