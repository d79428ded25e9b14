import { chmodSync, lstatSync } from "node:fs";
import { resolve } from "node:path";
import type { ConfigFlags } from "../base/config.ts";
import { asIclaudeError, EXIT, IclaudeError } from "../base/errors.ts";
import { configFor, type Profile } from "../credentials/profiles.ts";
import { usableToken } from "../refresh/engine.ts";
import type { Connection } from "./connection.ts";
import type { Peer } from "./peer.ts";
import { type Answer, errorAnswer, parseRequest, tokenAnswer } from "./protocol.ts";
import { claimSocketPath, releaseSocketPath } from "./socket.ts";
import { conversations } from "./wire.ts";

/** One request as the broker's log tells it: who asked, for what, and what went back (no token). */
export interface RequestRecord {
  peer: Peer | null;
  profile: string | null;
  answer: Answer;
  /** A refresh that failed while the current token still works: the token went out, this is why it is old. */
  warning?: string;
}

export interface BrokerOptions {
  socketPath: string;
  /** The config dirs served; the first answers a request that names none. */
  profiles: Profile[];
  flags?: ConfigFlags;
  onRequest(record: RequestRecord): void;
}

export interface Broker {
  /** Stops accepting, lets the answers in flight finish (a refresh is never cut short), removes the socket. */
  stop(): Promise<void>;
}

const noToken = (): IclaudeError =>
  new IclaudeError("There is no usable Claude access token on the host; run `iclaude refresh` there, or log in with `claude /login`.", EXIT.loginRequired);

/**
 * Only Claude Code's own login is served: its access tokens live hours. The long-lived token from
 * `claude setup-token` lives up to a year and would outlive the box. (`serve` drops
 * CLAUDE_CODE_OAUTH_TOKEN from its environment, so no other source reaches here.)
 */
const notServed = (source: string): IclaudeError | null =>
  source === "long-lived"
    ? new IclaudeError(
        "The host's Claude login is the long-lived token from `claude setup-token`, which the broker does not hand out (it lives up to a year); log in on the host with `claude /login`.",
        EXIT.loginRequired,
      )
    : null;

/** What a box sent, as one quoted line for the log and the answer: no newline or terminal control survives. */
const shown = (text: string): string =>
  JSON.stringify(text.slice(0, 200)).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * The token for one profile through the one refresh path (locks, re-read,
 * cooldown, dead-token memory); as `iclaude token`, a failed refresh still
 * hands out a token that works.
 */
async function answerFor(profile: Profile, flags: ConfigFlags): Promise<{ answer: Answer; warning?: string }> {
  try {
    const config = configFor(profile, flags);
    const { current, failure } = await usableToken(config, { flags });
    if (!current) throw noToken();
    const refused = notServed(current.source);
    if (refused) throw refused;
    return { answer: tokenAnswer(profile.dir, current), warning: failure?.message };
  } catch (error) {
    const failure = asIclaudeError(error);
    return { answer: errorAnswer("no-token", failure.exitCode, failure.message) };
  }
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  await claimSocketPath(options.socketPath);
  const flags = options.flags ?? {};
  /**
   * Single flight: every request for a profile while one is being answered, or in the same turn of
   * the event loop, shares that answer — under a flood, one answer a turn however many ask.
   */
  const inFlight = new Map<string, Promise<{ answer: Answer; warning?: string }>>();

  const answerProfile = (profile: Profile) => {
    let pending = inFlight.get(profile.dir);
    if (!pending) {
      pending = answerFor(profile, flags).finally(() => setImmediate(() => inFlight.delete(profile.dir)));
      inFlight.set(profile.dir, pending);
    }
    return pending;
  };

  async function handle(conn: Connection, line: string): Promise<Answer> {
    const request = parseRequest(line);
    if (!request) {
      const answer = errorAnswer("bad-request", EXIT.brokerRefused, `Not a broker request of protocol version 1 (expected {"v":1,"op":"token"}).`);
      options.onRequest({ peer: conn.peer, profile: null, answer });
      return answer;
    }
    const named = request.profile ? resolve(request.profile) : null;
    const profile = named ? options.profiles.find((p) => p.dir === named) : options.profiles[0];
    if (!profile) {
      const answer = errorAnswer(
        "unknown-profile",
        EXIT.brokerRefused,
        `This broker does not serve the profile ${shown(request.profile ?? "")}; it serves ${options.profiles.map((p) => p.dir).join(", ")}.`,
      );
      options.onRequest({ peer: conn.peer, profile: shown(request.profile ?? ""), answer });
      return answer;
    }
    const { answer, warning } = await answerProfile(profile);
    options.onRequest({ peer: conn.peer, profile: profile.dir, answer, warning });
    return answer;
  }

  /** Set while the broker connects to itself at start: the first peer it sees is its own. */
  let probe: ((peer: Peer | null) => void) | null = null;
  const previousUmask = process.umask(0o077);
  let listener: Bun.UnixSocketListener<Connection>;
  try {
    listener = Bun.listen<Connection>({
      unix: options.socketPath,
      socket: conversations({
        handle,
        refused: (conn, answer) => options.onRequest({ peer: conn.peer, profile: null, answer }),
        opened: (peer) => {
          probe?.(peer);
          probe = null;
        },
      }),
    });
  } catch (error) {
    throw new IclaudeError(`Cannot listen on ${options.socketPath}: ${error instanceof Error ? error.message : String(error)}.`, EXIT.brokerSocket);
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(options.socketPath, 0o600);
  const inode = lstatSync(options.socketPath).ino;
  // Every peer is checked; a system where the check cannot work would refuse every box, so it is found out now.
  const seen = new Promise<Peer | null>((resolve) => {
    probe = resolve;
    setTimeout(() => resolve(null), 5000).unref();
  });
  const self = await Bun.connect({ unix: options.socketPath, socket: { data() {} } }).catch(() => null);
  const peer = await seen;
  self?.end();
  // Only whether a peer can be named is asked here: a client of another uid that connected first is refused as usual.
  if (peer === null) {
    listener.stop(true);
    releaseSocketPath(options.socketPath, inode);
    throw new IclaudeError(
      `iclaude cannot learn which user connects to ${options.socketPath} on this system (${process.platform}: no peer credentials), so it will not serve tokens there.`,
      EXIT.brokerSocket,
    );
  }

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        listener.stop();
        await Promise.allSettled([...inFlight.values()]);
        releaseSocketPath(options.socketPath, inode);
        listener.stop(true);
      })();
      return stopping;
    },
  };
}
