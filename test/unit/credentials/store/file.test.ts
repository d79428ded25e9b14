import { describe, expect, test } from "bun:test";
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTextFile } from "../../../../src/base/fs.ts";
import { reserveCredentialsWrite, writeCredentialsFile } from "../../../../src/credentials/store/file.ts";
import { iclaudeErrorOf, ROOT, tempHome, unprivileged } from "../../../helpers.ts";

const mode = (path: string): number => statSync(path).mode & 0o777;

function credentialsDir(): { dir: string; file: string } {
  const dir = join(tempHome(), ".claude");
  mkdirSync(dir, { recursive: true });
  return { dir, file: join(dir, ".credentials.json") };
}

/** The real store's write, run as an unprivileged user (when the tests run as root), so permissions bite. */
async function writeAsAnotherUser(file: string, text: string): Promise<{ stderr: string; code: number }> {
  const proc = Bun.spawn(unprivileged([process.execPath, join(ROOT, "test/fixtures/write-credentials.ts"), file, text]), {
    stdout: "pipe",
    stderr: "pipe",
    cwd: ROOT,
  });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return { stderr, code };
}

describe("file store", () => {
  test("writes 0600 and keeps the previous content as a 0600 .bak", () => {
    const { file } = credentialsDir();
    writeFileSync(file, '{"old":1}', { mode: 0o644 });
    writeCredentialsFile(file, '{"new":2}');
    expect(readFileSync(file, "utf8")).toBe('{"new":2}');
    expect(readFileSync(`${file}.bak`, "utf8")).toBe('{"old":1}');
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}.bak`)).toBe(0o600);
  });

  test("a first write creates the file with no backup", () => {
    const { dir, file } = credentialsDir();
    writeCredentialsFile(file, "{}");
    expect(readdirSync(dir).sort()).toEqual([".credentials.json"]);
  });

  test("a symlinked credentials file stays a link; the write lands at its target", () => {
    const { dir, file } = credentialsDir();
    const real = join(dir, "..", "dotfiles", "claude-credentials.json");
    mkdirSync(join(dir, "..", "dotfiles"));
    writeFileSync(real, '{"old":1}', { mode: 0o600 });
    symlinkSync("../dotfiles/claude-credentials.json", file);
    writeCredentialsFile(file, '{"new":2}');
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe('{"new":2}');
    expect(readFileSync(`${real}.bak`, "utf8")).toBe('{"old":1}');
  });

  test("a .bak that cannot be replaced: the probe refuses before a token is spent, the write still keeps the new pair", () => {
    const { dir, file } = credentialsDir();
    writeFileSync(file, '{"old":1}', { mode: 0o600 });
    mkdirSync(`${file}.bak`);
    writeFileSync(join(`${file}.bak`, "keep"), "x");
    const refused = iclaudeErrorOf(() => reserveCredentialsWrite(file, 64));
    expect(refused.message).toContain("nothing was sent and the login is unchanged");
    expect(readFileSync(file, "utf8")).toBe('{"old":1}');
    writeCredentialsFile(file, '{"new":2}');
    expect(readFileSync(file, "utf8")).toBe('{"new":2}');
    expect(readdirSync(dir).sort()).toEqual([".credentials.json", ".credentials.json.bak"]);
  });

  test("a reservation given back leaves nothing behind; a committed one writes exactly the new bytes", () => {
    const { dir, file } = credentialsDir();
    writeFileSync(file, '{"old":1}', { mode: 0o600 });
    reserveCredentialsWrite(file, 4096).release();
    expect(readdirSync(dir)).toEqual([".credentials.json"]);
    expect(readFileSync(file, "utf8")).toBe('{"old":1}');
    const reserved = reserveCredentialsWrite(file, 4096);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toHaveLength(2);
    reserved.commit(Buffer.from('{"new":2}'));
    reserved.release();
    expect(readdirSync(dir).sort()).toEqual([".credentials.json", ".credentials.json.bak"]);
    expect(readFileSync(file, "utf8")).toBe('{"new":2}');
    expect(readFileSync(`${file}.bak`, "utf8")).toBe('{"old":1}');
  });

  test("removes temp files left by a writer that died, never a live writer's", () => {
    const { dir, file } = credentialsDir();
    writeFileSync(file, "{}");
    const dead = join(dir, ".credentials.json.iclaude-999999999-abc.tmp");
    const live = join(dir, `.credentials.json.iclaude-${process.ppid}-abc.tmp`);
    writeFileSync(dead, "partial");
    writeFileSync(live, "partial");
    writeCredentialsFile(file, "{}");
    expect(readdirSync(dir)).not.toContain(".credentials.json.iclaude-999999999-abc.tmp");
    expect(readdirSync(dir)).toContain(`.credentials.json.iclaude-${process.ppid}-abc.tmp`);
  });

  test("refuses, without blocking, what is not a regular file of at most 1 MiB", () => {
    const { dir, file } = credentialsDir();
    expect(Bun.spawnSync(["mkfifo", file]).exitCode).toBe(0);
    expect(iclaudeErrorOf(() => readTextFile(file)).message).toBe(`Cannot read ${file}: it is a named pipe, not a regular file.`);
    expect(iclaudeErrorOf(() => readTextFile("/dev/zero")).message).toBe("Cannot read /dev/zero: it is a device, not a regular file.");
    const big = join(dir, "big");
    writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 32));
    expect(iclaudeErrorOf(() => readTextFile(big)).message).toStartWith(`Cannot read ${big}: it is larger than 1 MiB`);
    writeFileSync(big, Buffer.alloc(1024 * 1024, 32));
    expect(readTextFile(big)?.length).toBe(1024 * 1024);
  });

  test.skipIf(process.getuid?.() !== 0)("as root, a replaced file and its backup keep their owner and group", () => {
    const { file } = credentialsDir();
    writeFileSync(file, '{"old":1}', { mode: 0o600 });
    chownSync(file, 65534, 4242);
    writeCredentialsFile(file, '{"new":2}');
    for (const path of [file, `${file}.bak`]) expect([statSync(path).uid, statSync(path).gid]).toEqual([65534, 4242]);
  });

  test("reads a missing file as null and an unreadable one as a clear error", () => {
    const { dir, file } = credentialsDir();
    expect(readTextFile(file)).toBeNull();
    mkdirSync(file);
    expect(iclaudeErrorOf(() => readTextFile(file)).message).toBe(`Cannot read ${file}: it is a directory.`);
    expect(readTextFile(join(dir, "nope", "x"))).toBeNull();
  });

  test("a read-only directory gives a clear error and changes nothing", async () => {
    const { dir, file } = credentialsDir();
    writeFileSync(file, '{"old":1}', { mode: 0o644 });
    chmodSync(join(dir, ".."), 0o755);
    chmodSync(dir, 0o555);
    chmodSync(file, 0o666);
    const { stderr, code } = await writeAsAnotherUser(file, '{"new":2}');
    expect(code).toBe(1);
    expect(stderr).toBe(`Cannot write ${file}: permission denied; the previous credentials were left as they were.`);
    expect(readFileSync(file, "utf8")).toBe('{"old":1}');
    expect(readdirSync(dir)).toEqual([".credentials.json"]);
  });

  // A sticky directory lets another user create files but not rename over root's: the rename alone fails.
  test.skipIf(process.getuid?.() !== 0)("a failing rename leaves the old file intact and no temp file behind", async () => {
    const { dir, file } = credentialsDir();
    writeFileSync(file, '{"old":1}', { mode: 0o666 });
    chmodSync(file, 0o666);
    chmodSync(join(dir, ".."), 0o755);
    chmodSync(dir, 0o1777);
    const { stderr, code } = await writeAsAnotherUser(file, '{"new":2}');
    expect(code).toBe(1);
    expect(stderr).toBe(`Cannot write ${file}: permission denied; the previous credentials were left as they were.`);
    expect(readFileSync(file, "utf8")).toBe('{"old":1}');
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
