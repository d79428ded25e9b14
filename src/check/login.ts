import { accessSync, constants, readFileSync, readlinkSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Config } from "../base/config.ts";
import { formatDuration } from "../base/durations.ts";
import { openToEveryone, stateTrustProblem } from "../base/state-trust.ts";
import { assess } from "../credentials/assessment.ts";
import { deadRefreshTokenCount } from "../credentials/dead-tokens.ts";
import { quoteAnyShell } from "../edges/quote.ts";
import { cooldownLeft, readLastFailure } from "../refresh/memory.ts";
import { actionLine, statusLine } from "../ui/words.ts";
import { type Check, fail, isRunning, ok, realOrNull, warn } from "./types.ts";

/** The profile dir (no one else may write to it) and Claude Code's credentials file and its backup: readable, 0600, the user's own. */
export function storeCheck(config: Config, dir: string): Check {
  const id = `store:${dir}`;
  const open = openToEveryone(dir);
  if (open !== null)
    return fail(id, `${dir} can be written by every user (mode ${open}), who could replace the credentials in it`, `run: chmod o-w ${quoteAnyShell(dir)}`);
  const path = config.credentialsPath;
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return ok(id, `no credentials file at ${path} (the login check says whether one is needed)`);
  for (const file of [path, `${path}.bak`]) {
    const s = statSync(file, { throwIfNoEntry: false });
    if (!s) continue;
    if (s.uid !== process.getuid?.()) return fail(id, `${file} belongs to another user (uid ${s.uid})`, `run: chown "$USER" ${quoteAnyShell(file)}`);
    if (s.mode & 0o077) return fail(id, `${file} can be read by others (mode ${(s.mode & 0o777).toString(8)})`, `run: chmod 600 ${quoteAnyShell(file)}`);
    try {
      accessSync(file, constants.R_OK);
    } catch {
      return fail(id, `${file} cannot be read`, `run: chmod 600 ${quoteAnyShell(file)}`);
    }
  }
  return ok(id, `${path} is readable, mode 600, yours`);
}

/** One profile's login and when it ends, with what to do as `status` says it. */
export function loginCheck(config: Config, dir: string, now: number): Check {
  const id = `login:${dir}`;
  const a = assess(config, process.env, now);
  const line = `login ${statusLine(a, now).replace(" — ", ": ")}`;
  const fix = actionLine(a) ?? "run: iclaude status";
  if (a.status === "valid" || a.status === "refresh-due") return ok(id, line);
  if (a.status === "login-expiring") return warn(id, line, fix);
  return fail(id, line, fix);
}

const quietly = (read: () => string): string => {
  try {
    return read();
  } catch {
    return "";
  }
};

/**
 * Where a pid means what it says, as Claude Code writes it in its owner record: `pidSpace` is the host
 * name and the PID namespace, `pidDomain` on Linux the machine id and the PID namespace (elsewhere
 * "linux"). Claude Code takes a lock over early only when both are its own.
 */
function ownPidWorld(): { pidSpace: string; pidDomain: string } {
  const namespace = quietly(() => readlinkSync("/proc/self/ns/pid"));
  const machine = process.platform === "linux" ? quietly(() => readFileSync("/etc/machine-id", "utf8").trim()) : "";
  return {
    pidSpace: `${hostname()}${namespace === "" ? "" : `#${namespace}`}`,
    pidDomain: process.platform === "linux" ? `linux:${machine}:${namespace}` : "linux",
  };
}

interface LockOwner {
  pid: number;
  /** Whether the pid is one of this PID namespace's, so that its absence here means it has ended. */
  here: boolean;
}

/** Claude Code 2.1.332's record of who holds its refresh lock. A pid from a container or another host says nothing here. */
function lockOwner(dir: string): LockOwner | null {
  try {
    const data: unknown = JSON.parse(readFileSync(join(dir, ".oauth_refresh.lock.owner"), "utf8"));
    if (!data || typeof data !== "object" || !("pid" in data)) return null;
    const { pid } = data;
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) return null;
    const own = ownPidWorld();
    const mine = (key: keyof typeof own): boolean => !(key in data) || (data as Record<string, unknown>)[key] === own[key];
    return { pid, here: mine("pidSpace") && mine("pidDomain") };
  } catch {
    return null;
  }
}

/** Claude Code's refresh locks (the one in the dir, the legacy one beside it) and its storage lock: held, by whom, for how long. */
export function lockCheck(config: Pick<Config, "claudeConfigDir">, dir: string, now: number): Check {
  const id = `locks:${dir}`;
  const base = config.claudeConfigDir;
  const legacy = `${realOrNull(base) ?? base}.lock`;
  const locks = [
    { path: join(base, ".oauth_refresh.lock"), staleMs: 60_000, owner: true },
    { path: legacy, staleMs: 60_000, owner: false },
    { path: join(base, ".storage-write.lock"), staleMs: 15_000, owner: false },
  ];
  const held: string[] = [];
  for (const lock of locks) {
    const stats = statSync(lock.path, { throwIfNoEntry: false });
    if (!stats) continue;
    const age = formatDuration((now - stats.mtimeMs) / 1000);
    const owner = lock.owner ? lockOwner(base) : null;
    const remove = `run: rm -rf ${quoteAnyShell(lock.path)}${lock.owner ? ` ${quoteAnyShell(join(base, ".oauth_refresh.lock.owner"))}` : ""}`;
    if (owner?.here && !isRunning(owner.pid))
      return fail(id, `${lock.path} was left by pid ${owner.pid}, which is no longer running (untouched for ${age})`, `nothing holds it: ${remove}`);
    if (now - stats.mtimeMs > lock.staleMs) return warn(id, `${lock.path} is stale (untouched for ${age}); the next refresh takes it over`, remove);
    const by = owner ? ` by pid ${owner.pid}${owner.here ? "" : " of another PID namespace (a container, or another host)"}` : "";
    held.push(`${lock.path} held${by} (touched ${age} ago)`);
  }
  return ok(id, held.length ? held.join("; ") : `no refresh or storage lock held in ${base}`);
}

/** The cooldown after a failed refresh, which keeps the network quiet for a while. */
export function cooldownCheck(config: Config, dir: string, now: number): Check {
  const id = `cooldown:${dir}`;
  const failure = readLastFailure(config, now);
  const token = assess(config, process.env, now).stored?.parsed?.claudeAiOauth?.refreshToken;
  const left = token ? cooldownLeft(config, token, now) : 0;
  if (!failure || left === 0)
    return ok(
      id,
      failure
        ? `the last failed refresh (${failure.kind}) was ${formatDuration((now - failure.at) / 1000)} ago; no cooldown`
        : `no failed refresh remembered for ${dir}`,
    );
  return warn(
    id,
    `a refresh failed (${failure.kind}) ${formatDuration((now - failure.at) / 1000)} ago; no automatic try for ${formatDuration(left)}`,
    "wait for it, or run `iclaude refresh --force` once the network works",
  );
}

/** The state dir: private, the user's own, and how many refused refresh tokens it remembers. */
export function stateCheck(config: Config): Check {
  const problem = stateTrustProblem(config);
  if (problem)
    return fail(
      "state",
      `${problem}, so iclaude uses nothing in it`,
      `run \`chmod 700 ${quoteAnyShell(config.stateDir)}\` if it is yours, or set ICLAUDE_STATE_DIR to a directory of your own`,
    );
  const dead = deadRefreshTokenCount(config);
  const memory = dead ? `; ${dead} refused refresh token${dead === 1 ? "" : "s"} remembered, never sent again` : "";
  return ok("state", `${config.stateDir} is private${memory}`);
}
