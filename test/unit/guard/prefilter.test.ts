import { describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StagedFile } from "../../../src/guard/git.ts";
import { filesToDiff } from "../../../src/guard/prefilter.ts";
import { keywords } from "../../../src/guard/scan.ts";
import { fakeToken, tempHome } from "../../helpers.ts";

/** The id real git gives a file's bytes, in a repository of the given object format. */
function blobId(dir: string, path: string, format: "sha1" | "sha256" = "sha1"): string {
  const repo = join(dir, `.ids-${format}`);
  Bun.spawnSync(["git", "init", "-q", `--object-format=${format}`, repo]);
  const run = Bun.spawnSync(["git", "-C", repo, "hash-object", join(dir, path)]);
  return run.stdout.toString().trim();
}

function setUp(files: Record<string, string>): { dir: string; staged: (path: string, over?: Partial<StagedFile>) => StagedFile } {
  const dir = tempHome("iclaude-prefilter-");
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  const staged = (path: string, over: Partial<StagedFile> = {}): StagedFile => ({
    path,
    source: null,
    mode: "100644",
    ...over,
    blob: over.blob ?? blobId(dir, path),
  });
  return { dir, staged };
}

const cleared = (dir: string, files: StagedFile[], own: string[] = []): string[] => {
  const kept = new Set((filesToDiff(dir, files, keywords(own)) ?? []).map((f) => f.path));
  return files.map((f) => f.path).filter((p) => !kept.has(p));
};

describe("filesToDiff: which staged files git must still diff", () => {
  test("a working copy that is the staged blob and holds no keyword is cleared; one with a keyword is kept", () => {
    const { dir, staged } = setUp({ "clean.ts": "export const a = 1;\n", "key.ts": "const k = 'sk-ant-x';\n", "pem.txt": "PRIVATE KEY\n" });
    expect(cleared(dir, [staged("clean.ts"), staged("key.ts"), staged("pem.txt")])).toEqual(["clean.ts"]);
  });

  test("a copy that differs from what was staged is kept, even at the same size", () => {
    const { dir, staged } = setUp({ "a.txt": "staged text\n" });
    const file = staged("a.txt");
    writeFileSync(join(dir, "a.txt"), "edited text\n");
    expect(cleared(dir, [file])).toEqual([]);
  });

  test("a UTF-16 file (byte-order mark) is left to git's diff: its keywords are other bytes", () => {
    const { dir, staged } = setUp({ "plain.txt": "plain\n" });
    writeFileSync(join(dir, "le.txt"), Buffer.from("\uFEFFhello\n", "utf16le"));
    writeFileSync(join(dir, "be.txt"), Buffer.from("\uFEFFhello\n", "utf16le").swap16());
    expect(cleared(dir, [staged("plain.txt"), staged("le.txt"), staged("be.txt")])).toEqual(["plain.txt"]);
  });

  test("a binary is kept when it holds a keyword in UTF-16 (as Windows resources store strings), else cleared", () => {
    const { dir, staged } = setUp({});
    writeFileSync(join(dir, "app.exe"), Buffer.concat([Buffer.from([0x4d, 0x5a, 0]), Buffer.from("key sk-ant-oat01-x", "utf16le")]));
    writeFileSync(join(dir, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    expect(cleared(dir, [staged("app.exe"), staged("logo.png")])).toEqual(["logo.png"]);
  });

  test("the user's own token is a keyword when no static keyword would find it", () => {
    const own = "odd-shaped-token-0123456789abcdef";
    const { dir, staged } = setUp({ "a.txt": `x ${own}\n`, "b.txt": "y\n" });
    expect(cleared(dir, [staged("a.txt"), staged("b.txt")], [own])).toEqual(["b.txt"]);
    expect(keywords([fakeToken("oat01"), own, "short"])).toEqual([...keywords([]), own]);
  });

  test("a symlink, a submodule, a missing file, a FIFO and a very large file are left to git", () => {
    const { dir, staged } = setUp({ "target.txt": "t\n", "big.bin": "" });
    symlinkSync("target.txt", join(dir, "link"));
    mkdirSync(join(dir, "sub"));
    Bun.spawnSync(["mkfifo", join(dir, "fifo")]);
    truncateSync(join(dir, "big.bin"), 17 * 1024 * 1024);
    const files = [
      staged("link", { blob: blobId(dir, "target.txt") }),
      staged("link2", { mode: "120000", blob: blobId(dir, "target.txt") }),
      staged("sub", { mode: "160000", blob: "0".repeat(40) }),
      staged("gone.txt", { blob: blobId(dir, "target.txt") }),
      staged("fifo", { blob: blobId(dir, "target.txt") }),
      staged("big.bin"),
      staged("target.txt"),
    ];
    expect(cleared(dir, files)).toEqual(["target.txt"]);
  });

  test("more files left than the limit gives null: the whole diff is quicker then", () => {
    const { dir, staged } = setUp({ "a.txt": "sk-ant-\n", "b.txt": "sk-ant-\n", "c.txt": "clean\n" });
    const files = [staged("a.txt"), staged("b.txt"), staged("c.txt")];
    expect(filesToDiff(dir, files, keywords([]), 1)).toBeNull();
    expect(filesToDiff(dir, files, keywords([]), 2)?.map((f) => f.path)).toEqual(["a.txt", "b.txt"]);
  });

  test("a SHA-256 repository's ids are recomputed as SHA-256", () => {
    const { dir, staged } = setUp({ "a.txt": "hello\n" });
    const file = staged("a.txt", { blob: blobId(dir, "a.txt", "sha256") });
    expect(file.blob).toHaveLength(64);
    expect(cleared(dir, [file])).toEqual(["a.txt"]);
  });
});
