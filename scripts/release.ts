/**
 * `npm run release` (after ./install.sh, on a clean tree): writes release/ with the binary of every
 * platform, the man page, the npm packages (`iclaude`, with the man page, and one per platform, as
 * Claude Code ships), and SHA256SUMS over all of it. Nothing is published: `npm publish release/npm/<file>.tgz` does that, the platform
 * packages first.
 */
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { compile } from "./compile.ts";
import { writeManPage } from "./man.ts";

interface Platform {
  id: string;
  target: Bun.Build.CompileTarget;
  os: string;
  cpu: string;
  libc?: string;
}

const PLATFORMS: Platform[] = [
  { id: "linux-x64", target: "bun-linux-x64", os: "linux", cpu: "x64", libc: "glibc" },
  { id: "linux-arm64", target: "bun-linux-arm64", os: "linux", cpu: "arm64", libc: "glibc" },
  { id: "linux-x64-musl", target: "bun-linux-x64-musl", os: "linux", cpu: "x64", libc: "musl" },
  { id: "linux-arm64-musl", target: "bun-linux-arm64-musl", os: "linux", cpu: "arm64", libc: "musl" },
  { id: "darwin-x64", target: "bun-darwin-x64", os: "darwin", cpu: "x64" },
  { id: "darwin-arm64", target: "bun-darwin-arm64", os: "darwin", cpu: "arm64" },
];

const OUT = "release";
const common = { version: pkg.version, description: pkg.description, license: pkg.license };

function fail(sentence: string): never {
  console.error(`release: ${sentence}`);
  process.exit(1);
}

const dirty = Bun.spawnSync(["git", "status", "--porcelain"], { stdout: "pipe", stderr: "pipe" });
if (dirty.exitCode !== 0) fail("this is not a git checkout; run it in the repository.");
if (dirty.stdout.length > 0) fail("the tree has uncommitted changes; commit or stash them, so the release is exactly a commit.");

/** `npm pack` of a staged package directory into release/npm/; returns the tarball's name. */
function pack(dir: string): string {
  const run = Bun.spawnSync(["npm", "pack", "--json", "--pack-destination", join(process.cwd(), OUT, "npm")], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (run.exitCode !== 0) fail(`npm pack failed in ${dir}: ${run.stderr.toString().trim()}`);
  const [packed] = JSON.parse(run.stdout.toString()) as { filename: string }[];
  if (!packed) fail(`npm pack in ${dir} named no tarball.`);
  return packed.filename;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, "npm"), { recursive: true });
const stage = mkdtempSync(join(tmpdir(), "iclaude-release-"));
try {
  // All at once: while one target's runtime downloads, another compiles.
  await Promise.all(
    PLATFORMS.map((p) =>
      compile(join(OUT, `iclaude-${p.id}`), p.target).catch((error: unknown) =>
        fail(`compiling for ${p.id} failed: ${error instanceof AggregateError ? error.errors.join("; ") : String(error)}`),
      ),
    ),
  );
  for (const p of PLATFORMS) {
    const binary = join(OUT, `iclaude-${p.id}`);
    const dir = join(stage, p.id);
    mkdirSync(dir);
    copyFileSync(binary, join(dir, "iclaude"));
    chmodSync(join(dir, "iclaude"), 0o755);
    copyFileSync("LICENSE", join(dir, "LICENSE"));
    const platformPkg = { name: `iclaude-${p.id}`, ...common, os: [p.os], cpu: [p.cpu], ...(p.libc ? { libc: [p.libc] } : {}), files: ["iclaude"] };
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(platformPkg, null, 2)}\n`);
    console.log(`packed ${pack(dir)}`);
  }
  const main = join(stage, "iclaude");
  mkdirSync(join(main, "bin"), { recursive: true });
  for (const file of ["platform.js", "install.js"]) copyFileSync(join("scripts/npm", file), join(main, file));
  copyFileSync("scripts/npm/launcher.js", join(main, "bin", "iclaude"));
  chmodSync(join(main, "bin", "iclaude"), 0o755);
  for (const file of ["README.md", "LICENSE", "CHANGELOG.md"]) copyFileSync(file, join(main, file));
  // npm links it into <prefix>/share/man/man1 on a global install, where man finds it through PATH;
  // release/iclaude.1 is the same page for those who take a binary without npm.
  await writeManPage(join(OUT, "iclaude.1"));
  copyFileSync(join(OUT, "iclaude.1"), join(main, "iclaude.1"));
  const mainPkg = {
    name: "iclaude",
    ...common,
    bin: { iclaude: "bin/iclaude" },
    man: ["./iclaude.1"],
    scripts: { postinstall: "node install.js" },
    optionalDependencies: Object.fromEntries(PLATFORMS.map((p) => [`iclaude-${p.id}`, pkg.version])),
    engines: { node: ">=18" },
    files: ["bin", "platform.js", "install.js", "iclaude.1", "CHANGELOG.md"],
  };
  writeFileSync(join(main, "package.json"), `${JSON.stringify(mainPkg, null, 2)}\n`);
  console.log(`packed ${pack(main)}`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

const written = readdirSync(OUT, { recursive: true, encoding: "utf8" })
  .filter((name) => statSync(join(OUT, name)).isFile())
  .sort();
const sums = written.map(
  (name) =>
    `${createHash("sha256")
      .update(readFileSync(join(OUT, name)))
      .digest("hex")}  ${name}`,
);
writeFileSync(join(OUT, "SHA256SUMS"), `${sums.join("\n")}\n`);
console.log(`wrote ${relative(process.cwd(), OUT)}/: ${written.length} files and SHA256SUMS`);
