import { statSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../base/config.ts";
import { formatDuration, parseDuration } from "../base/durations.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { maskToken } from "../base/secrets.ts";
import { brokerPath, brokerProfile } from "../broker/client.ts";
import { describePeer } from "../broker/peer.ts";
import { startBroker, type RequestRecord } from "../broker/server.ts";
import { defaultSocketPath } from "../broker/socket.ts";
import { boxTarget, keepSynced, syncOnce, type SyncResult } from "../broker/sync.ts";
import { defaultClaudeDir, type Profile } from "../credentials/profiles.ts";
import { dropWriteErrors, log } from "../ui/log.ts";
import { command, withHelp } from "./_shared.ts";

/** citty keeps the last of a repeated flag; `--profile A --profile B` means both. */
function repeated(rawArgs: readonly string[], name: string): string[] {
  const values: string[] = [];
  rawArgs.forEach((arg, i) => {
    if (arg === `--${name}` && rawArgs[i + 1] !== undefined) values.push(rawArgs[i + 1] as string);
    else if (arg.startsWith(`--${name}=`)) values.push(arg.slice(name.length + 3));
  });
  return values;
}

function servedProfiles(dirs: string[]): Profile[] {
  const defaultDir = defaultClaudeDir();
  if (dirs.length === 0) {
    const dir = process.env.CLAUDE_CONFIG_DIR ? resolve(process.env.CLAUDE_CONFIG_DIR) : defaultDir;
    return [{ dir, isDefault: !process.env.CLAUDE_CONFIG_DIR, added: false }];
  }
  return [...new Set(dirs.map((d) => resolve(d)))].map((dir) => {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new IclaudeError(`--profile ${dir}: no such directory; give a Claude Code config dir.`, EXIT.usage);
    return { dir, isDefault: dir === defaultDir, added: false };
  });
}

const validFor = (expiresAt: number | null): string => (expiresAt === null ? "expiry unknown" : `valid ${formatDuration((expiresAt - Date.now()) / 1000)}`);

function logRequest({ peer, profile, answer, warning }: RequestRecord): void {
  const who = describePeer(peer);
  if (!answer.ok) {
    log.warn(`${answer.code} for ${who}${profile ? ` (${profile})` : ""}: ${answer.error}`);
    return;
  }
  log.info(`token for ${who} (${profile}): ${maskToken(answer.accessToken)}, ${validFor(answer.expiresAt)}`);
  if (warning) log.warn(warning);
}

/**
 * Resolves at SIGTERM or SIGINT. `on`, not `once`: proper-lockfile's
 * signal-exit re-raises a signal it finds no other listener for, which a
 * `once` listener has already stopped being.
 */
const untilSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => resolve(signal));
  });

const serve = command({
  meta: { name: "serve", description: "Serve access tokens (never refresh tokens) on a unix socket, 0600 in a 0700 dir, until SIGTERM" },
  args: {
    socket: { type: "string", valueHint: "PATH", description: "The socket (default $XDG_RUNTIME_DIR/iclaude/broker.sock, else <state dir>/broker/broker.sock)" },
    profile: { type: "string", valueHint: "DIR", description: "A Claude Code config dir to serve; repeat for more (default: CLAUDE_CONFIG_DIR, else ~/.claude)" },
  },
  async run({ args, rawArgs }) {
    const config = loadConfig();
    const socketPath = resolve(args.socket ?? defaultSocketPath(config));
    const profiles = servedProfiles(repeated(rawArgs, "profile"));
    // The broker serves its config dirs' logins; a token from its own environment is no profile's.
    delete process.env.CLAUDE_CODE_OAUTH_TOKEN;
    // Its log is stderr: a reader that has gone (a closed terminal, an ended `| tee`) costs the log, never the broker.
    dropWriteErrors();
    const broker = await startBroker({ socketPath, profiles, onRequest: logRequest });
    log.info(`serving ${profiles.map((p) => p.dir).join(", ")} on ${socketPath}`);
    const signal = await untilSignal();
    await broker.stop();
    log.info(`stopped (${signal}); removed ${socketPath}`);
    return EXIT.ok;
  },
});

function syncLine(dir: string, { answer, changed }: SyncResult): string {
  return `${changed ? "wrote" : "up to date:"} ${dir}/.credentials.json — access token ${validFor(answer.expiresAt)}, no refresh token`;
}

const sync = command({
  meta: { name: "sync", description: "Inside a box: keep DIR/.credentials.json holding the broker's access token (no refresh token) fresh" },
  args: {
    broker: { type: "string", valueHint: "PATH", description: "The broker's socket (env ICLAUDE_BROKER)" },
    to: { type: "string", valueHint: "DIR", description: "The Claude Code config dir to write (default: CLAUDE_CONFIG_DIR, else ~/.claude)" },
    once: { type: "boolean", description: "Write once and exit, instead of keeping the file fresh until SIGTERM" },
    interval: { type: "string", valueHint: "1m", description: "How often to ask the broker again (it refreshes an hour before expiry)" },
    profile: { type: "string", valueHint: "DIR", description: "The host config dir to ask for (env ICLAUDE_BROKER_PROFILE; default: the broker's first)" },
  },
  async run({ args }) {
    const socket = brokerPath(args.broker);
    if (!socket) throw new IclaudeError("`iclaude broker sync` needs the broker's socket: --broker PATH or ICLAUDE_BROKER.", EXIT.usage);
    const intervalMs = parseDuration(args.interval ?? "1m", "--interval") * 1000;
    if (intervalMs === 0) throw new IclaudeError("--interval: 0 would ask the broker without pause; give at least 1s.", EXIT.usage);
    const target = boxTarget(args.to);
    const dir = target.dir;
    const profile = brokerProfile(args.profile);
    const report = (result: SyncResult) => {
      for (const path of result.skipped) log.warn(`${path} is not JSON, so Claude Code may show its first-run screens; fix or remove it.`);
    };
    const first = await syncOnce(socket, profile, target);
    report(first);
    if (args.once) {
      process.stdout.write(`${syncLine(dir, first)}\n`);
      return EXIT.ok;
    }
    log.info(syncLine(dir, first));
    let failing = false;
    const loop = keepSynced(socket, profile, target, intervalMs, (result) => {
      if (result instanceof IclaudeError) {
        // Said once per outage, not every minute; the file keeps the last token meanwhile.
        if (!failing) log.warn(`${result.message} Keeping the last token and asking again every ${formatDuration(intervalMs / 1000)}.`);
        else log.debug("sync: the broker is still unreachable; the last token is kept");
        failing = true;
        return;
      }
      failing = false;
      report(result);
      if (result.changed) log.info(syncLine(dir, result));
    });
    await untilSignal();
    loop.stop();
    return EXIT.ok;
  },
});

export default withHelp(command({
  meta: { name: "broker", description: "Share a login with containers and sandboxes: access tokens over a unix socket, never the refresh token" },
  subCommands: { serve, sync },
}), {
  examples: [
    ["iclaude broker serve", "on the host: serve ~/.claude's login"],
    ["iclaude broker sync --broker /run/iclaude/broker.sock --to ~/.claude", "in a box: keep its credentials fresh"],
    ["iclaude token --broker /run/iclaude/broker.sock", "in a box: print the access token"],
  ],
  env: ["ICLAUDE_BROKER", "ICLAUDE_BROKER_PROFILE", "XDG_RUNTIME_DIR"],
  exits: [
    ["0", "served until SIGTERM or SIGINT; synced"],
    ["30", "no broker answers on the socket"],
    ["31", "the broker refused: another user, a profile it does not serve, a bad request"],
    ["32", "broker serve cannot use the socket (another broker holds it, or its dir is not private)"],
    ["20-23", "the host could not produce a token: refresh's own codes"],
    ["2", "bad usage"],
  ],
});
