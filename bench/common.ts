/** What the process benchmarks share: the binary under test, a HOME with a login of 8 h left, a timed run. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MockAnthropic } from "../test/fixtures/mock-anthropic.ts";

const ROOT = resolve(import.meta.dir, "..");
/** `bun bench/x.ts [path/to/iclaude]`, default dist/iclaude. */
export const BIN = resolve(process.argv[2] ?? join(ROOT, "dist", "iclaude"));

export interface BenchHome {
  home: string;
  env: Record<string, string>;
}

/** A temp HOME whose login the mock knows, with nothing due; the env runs iclaude against the mock. */
export function benchHome(mock: MockAnthropic): BenchHome {
  const home = mkdtempSync(join(tmpdir(), "iclaude-bench-"));
  mkdirSync(join(home, ".claude"), { mode: 0o700 });
  writeFileSync(
    join(home, ".claude", ".credentials.json"),
    JSON.stringify({
      claudeAiOauth: { ...mock.issuePair(), expiresAt: Date.now() + 8 * 3600_000, scopes: ["user:inference", "user:profile"], subscriptionType: "max" },
    }),
    { mode: 0o600 },
  );
  return { home, env: { HOME: home, PATH: "/usr/bin:/bin", NO_COLOR: "1", ICLAUDE_TOKEN_URL: mock.tokenUrl } };
}

/** Wall time of one `iclaude ARGS` run in ms; a failed run stops the benchmark. */
export async function timeRun({ home, env }: BenchHome, args: string[]): Promise<number> {
  const start = performance.now();
  const proc = Bun.spawn([BIN, ...args], { cwd: home, env, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`iclaude ${args.join(" ")} exited ${code}: ${stderr.trim()}`);
  return ms;
}

/** The middle value; of an even count, the mean of the two middle ones. */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Each binary compared starts as it does after a reboot, its pages read back from disk rather than
 * left in memory by the write that made it: on Linux 6.18 (ext4) a file just written (a fresh build,
 * a copy) starts 1.5 to 3 ms sooner than the same bytes read from disk, and a compiled program used
 * once in a bench would otherwise race an installed claude on unequal terms. Linux's `sync` and GNU
 * dd's `iflag=nocache` drop each file's cached pages; true only when util-linux's fincore then finds
 * none of them in memory (a file on a tmpfs, or one a running process maps, keeps its pages).
 */
export function readFromDisk(paths: readonly string[]): boolean {
  if (process.platform !== "linux") return false;
  try {
    if (Bun.spawnSync(["sync", "--", ...paths]).exitCode !== 0) return false;
    if (!paths.every((path) => Bun.spawnSync(["dd", `if=${path}`, "iflag=nocache", "count=0", "status=none"]).exitCode === 0)) return false;
    const resident = (path: string) => Bun.spawnSync(["fincore", "--bytes", "--noheadings", "--output", "RES", path]).stdout.toString().trim();
    return paths.every((path) => resident(path) === "0");
  } catch {
    return false;
  }
}
