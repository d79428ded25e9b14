import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { ROOT, tempHome, waitFor } from "../helpers.ts";

/*
 * `npm run release` as a maintainer runs it, on a clone of the commit under test (it refuses a dirty
 * tree, and a checkout being worked on is one), then every tarball published to a real local registry
 * (Verdaccio) and installed from it as a user would: with install scripts and with --ignore-scripts.
 */

const BUN = join(ROOT, "node_modules/.bin/bun");
const PATH = "/usr/local/bin:/usr/bin:/bin";
const QEMU_PREFIX = "/usr/aarch64-linux-gnu";
const PLATFORMS = ["linux-x64", "linux-arm64", "linux-x64-musl", "linux-arm64-musl", "darwin-x64", "darwin-arm64"] as const;

const clone = tempHome("iclaude-release-");
const release = join(clone, "release");
const maintainer = tempHome("iclaude-maintainer-");
const sh = (argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}) => {
  const run = Bun.spawnSync(argv, { cwd: options.cwd ?? clone, env: { PATH, HOME: maintainer, ...options.env }, stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
};

let registry: { url: string; proc: Bun.Subprocess } | null = null;
let released: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  expect(sh(["git", "clone", "--quiet", "--shared", ROOT, clone], { cwd: ROOT }).code).toBe(0);
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
  released = sh([BUN, "scripts/release.ts"]);
  registry = await startRegistry();
}, 300_000);

afterAll(async () => {
  registry?.proc.kill();
  await registry?.proc.exited;
});

/** A Verdaccio of its own on a free loopback port, storing in a temporary dir, publishing open to a user it makes. */
async function startRegistry(): Promise<{ url: string; proc: Bun.Subprocess }> {
  const dir = tempHome("iclaude-registry-");
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  writeFileSync(
    join(dir, "config.yaml"),
    [
      `storage: ${join(dir, "storage")}`,
      "max_body_size: 500mb",
      `auth: { htpasswd: { file: ${join(dir, "htpasswd")}, max_users: 10 } }`,
      "uplinks: {}",
      "packages: { '**': { access: $all, publish: $authenticated } }",
      "log: { type: stdout, format: pretty, level: warn }",
    ].join("\n"),
  );
  const proc = Bun.spawn([join(ROOT, "node_modules/.bin/verdaccio"), "--config", join(dir, "config.yaml"), "--listen", `127.0.0.1:${port}`], {
    env: { PATH, HOME: dir },
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  void (async () => {
    for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
  })();
  await waitFor(
    () => out.includes("http address"),
    30_000,
    () => `Verdaccio to listen; it printed:\n${out}`,
  );
  return { url: `http://127.0.0.1:${port}`, proc };
}

/** A fresh HOME whose .npmrc can publish to the registry. */
async function npmHome(): Promise<string> {
  if (!registry) throw new Error("the local registry is not running");
  const { url } = registry;
  const home = tempHome("iclaude-npm-");
  const name = `ci${home
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")}`;
  const answer = await fetch(`${url}/-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "a-password-for-tests" }),
  });
  const { token } = (await answer.json()) as { token: string };
  writeFileSync(join(home, ".npmrc"), `registry=${url}/\n${url.replace("http:", "")}/:_authToken=${token}\nupdate-notifier=false\nfund=false\naudit=false\n`);
  return home;
}

describe("npm run release", () => {
  test("refuses a tree with uncommitted changes", () => {
    const dirty = tempHome("iclaude-dirty-");
    expect(sh(["git", "clone", "--quiet", "--shared", ROOT, dirty], { cwd: ROOT }).code).toBe(0);
    writeFileSync(join(dirty, "stray.txt"), "not committed\n");
    const run = sh([BUN, "scripts/release.ts"], { cwd: dirty });
    expect([run.code, run.stderr]).toEqual([1, "release: the tree has uncommitted changes; commit or stash them, so the release is exactly a commit.\n"]);
    expect(existsSync(join(dirty, "release"))).toBe(false);
  });

  test("writes a binary per platform, in its format, with SHA256SUMS over every file", () => {
    if (released.code !== 0) throw new Error(`npm run release failed:\n${released.stderr}`);
    const formats: Record<(typeof PLATFORMS)[number], RegExp> = {
      "linux-x64": /ELF 64-bit LSB executable, x86-64.*interpreter \/lib64\/ld-linux-x86-64\.so\.2/,
      "linux-arm64": /ELF 64-bit LSB executable, ARM aarch64.*interpreter \/lib\/ld-linux-aarch64\.so\.1/,
      "linux-x64-musl": /ELF 64-bit LSB executable, x86-64.*interpreter \/lib\/ld-musl-x86_64\.so\.1/,
      "linux-arm64-musl": /ELF 64-bit LSB executable, ARM aarch64.*interpreter \/lib\/ld-musl-aarch64\.so\.1/,
      "darwin-x64": /^Mach-O 64-bit x86_64 executable/,
      "darwin-arm64": /^Mach-O 64-bit arm64 executable/,
    };
    for (const platform of PLATFORMS) expect(sh(["file", "-b", join(release, `iclaude-${platform}`)]).stdout).toMatch(formats[platform]);
    const tarballs = readdirSync(join(release, "npm")).sort();
    expect(tarballs).toEqual([`iclaude-${pkg.version}.tgz`, ...PLATFORMS.map((p) => `iclaude-${p}-${pkg.version}.tgz`)].sort());
    const check = sh(["sha256sum", "-c", "SHA256SUMS"], { cwd: release });
    expect(check.code).toBe(0);
    expect(check.stdout.trim().split("\n").sort()).toEqual(
      [...PLATFORMS.map((p) => `iclaude-${p}: OK`), "iclaude.1: OK", ...tarballs.map((t) => `npm/${t}: OK`)].sort(),
    );
  });

  test("the linux-arm64 binary runs: --version under qemu-aarch64", () => {
    expect(existsSync(join(QEMU_PREFIX, "lib/ld-linux-aarch64.so.1"))).toBe(true);
    const run = sh(["qemu-aarch64-static", join(release, "iclaude-linux-arm64"), "--version"], { env: { QEMU_LD_PREFIX: QEMU_PREFIX } });
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(`iclaude ${pkg.version}`);
    expect(run.stdout).toContain("tested with Claude Code ");
  });

  test("published to a registry and installed from it: iclaude on PATH is the native binary, one platform's only", async () => {
    const publisher = await npmHome();
    // The platform packages first, as they would be published: the main package names them.
    const order = [...PLATFORMS.map((p) => `iclaude-${p}-${pkg.version}.tgz`), `iclaude-${pkg.version}.tgz`];
    const published = await Promise.all(
      order.map(async (tarball) => {
        const proc = Bun.spawn(["npm", "publish", join(release, "npm", tarball)], { env: { PATH, HOME: publisher }, stdout: "ignore", stderr: "pipe" });
        const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
        return [tarball, code, stderr.match(/npm error .*/g)];
      }),
    );
    expect(published).toEqual(order.map((tarball) => [tarball, 0, null]));
    for (const scripts of ["with", "without"] as const) {
      const user = await npmHome();
      const prefix = join(user, "prefix");
      const install = sh(["npm", "install", "-g", "--prefix", prefix, ...(scripts === "without" ? ["--ignore-scripts"] : []), "iclaude"], {
        env: { HOME: user },
      });
      expect([scripts, install.code]).toEqual([scripts, 0]);
      const onPath = join(prefix, "bin", "iclaude");
      const installed = join(prefix, "lib/node_modules/iclaude");
      expect(readdirSync(join(installed, "node_modules"))).toEqual(["iclaude-linux-x64"]);
      if (scripts === "with") {
        expect(realpathSync(onPath)).toBe(join(installed, "node_modules/iclaude-linux-x64/iclaude"));
        expect(readlinkSync(join(installed, "bin/iclaude"))).toBe("../node_modules/iclaude-linux-x64/iclaude");
      } else {
        expect(readFileSync(realpathSync(onPath), "utf8")).toStartWith("#!/usr/bin/env node\n");
      }
      // npm links the package's man page where man finds it for <prefix>/bin on PATH.
      expect(readFileSync(join(prefix, "share/man/man1/iclaude.1"), "utf8")).toStartWith(".TH ICLAUDE 1 ");
      const empty = tempHome("iclaude-user-");
      const version = sh([onPath, "--version"], { env: { HOME: empty } });
      expect([scripts, version.code, version.stdout.split("\n")[0]]).toEqual([scripts, 0, `iclaude ${pkg.version}`]);
      const status = sh([onPath, "status", "--json"], { env: { HOME: empty } });
      expect([scripts, status.code, JSON.parse(status.stdout).status]).toEqual([scripts, 13, "missing"]);
    }
  }, 240_000);
});
