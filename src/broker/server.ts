import { chmodSync, lstatSync } from "node:fs";
import { resolve } from "node:path";
import type { Socket } from "bun";
import type { ConfigFlags } from "../base/config.ts";
import { asIclaudeError, EXIT, IclaudeError } from "../base/errors.ts";
import { configFor, type Profile } from "../credentials/profiles.ts";
import { usableToken } from "../refresh/engine.ts";
import { peerAllowed, peerOf, type Peer } from "./peer.ts";
import { encode, errorAnswer, MAX_LINE_BYTES, parseRequest, tokenAnswer, type Answer } from "./protocol.ts";
import { claimSocketPath, releaseSocketPath } from "./socket.ts";

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

interface Connection {
  peer: Peer | null;
  /** Another user: its first request is answered `not-allowed`, the rest ignored. */
  refused: "no" | "pending" | "answered";
  buffer: string;
  /** Answers go out in the order the requests came. */
  queue: Promise<void>;
}

const noToken = (): IclaudeError =>
  new IclaudeError("There is no usable Claude access token on the host; run `iclaude refresh` there, or log in with `claude /login`.", EXIT.loginRequired);

/**
 * The token for one profile through the one refresh path (locks, re-read,
 * cooldown, dead-token memory); as `iclaude token`, a failed refresh still
 * hands out a token that works.
 */
async function answerFor(profile: Profile, flags: ConfigFlags): Promise<{ answer: Answer; warning?: string }> {
  try {
    const config = configFor(profile, flags);
    const { current, failure } = await usableToken(config);
    if (!current) throw noToken();
    return { answer: tokenAnswer(profile.dir, current), warning: failure?.message };
  } catch (error) {
    const failure = asIclaudeError(error);
    return { answer: errorAnswer("no-token", failure.exitCode, failure.message) };
  }
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  await claimSocketPath(options.socketPath);
  const flags = options.flags ?? {};
  /** Single flight: every request for a profile while one is being answered shares that answer. */
  const inFlight = new Map<string, Promise<{ answer: Answer; warning?: string }>>();

  const answerProfile = (profile: Profile) => {
    let pending = inFlight.get(profile.dir);
    if (!pending) {
      pending = answerFor(profile, flags).finally(() => inFlight.delete(profile.dir));
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
      const answer = errorAnswer("unknown-profile", EXIT.brokerRefused, `This broker does not serve the profile ${request.profile?.slice(0, 200)}; it serves ${options.profiles.map((p) => p.dir).join(", ")}.`);
      options.onRequest({ peer: conn.peer, profile: request.profile ?? null, answer });
      return answer;
    }
    const { answer, warning } = await answerProfile(profile);
    options.onRequest({ peer: conn.peer, profile: profile.dir, answer, warning });
    return answer;
  }

  const send = (socket: Socket<Connection>, answer: Answer) => {
    if (socket.readyState > 0) socket.write(encode(answer));
  };

  const refuse = (socket: Socket<Connection>) => {
    const answer = errorAnswer("not-allowed", EXIT.brokerRefused, "This broker serves only its own user; ask as that user.");
    options.onRequest({ peer: socket.data.peer, profile: null, answer });
    socket.end(encode(answer));
  };

  const previousUmask = process.umask(0o077);
  let listener;
  try {
    listener = Bun.listen<Connection>({
      unix: options.socketPath,
      socket: {
        open(socket) {
          // Bun sets `fd` on a unix socket but does not declare it.
          const peer = peerOf((socket as unknown as { fd?: number }).fd);
          socket.data = { peer, refused: peerAllowed(peer) ? "no" : "pending", buffer: "", queue: Promise.resolve() };
        },
        data(socket, chunk) {
          const conn = socket.data;
          if (conn.refused !== "no") {
            // Answered at its first request, so the client reads a refusal rather than a dropped connection.
            if (conn.refused === "pending") refuse(socket);
            conn.refused = "answered";
            return;
          }
          conn.buffer += chunk.toString("utf8");
          let newline: number;
          while ((newline = conn.buffer.indexOf("\n")) >= 0) {
            const line = conn.buffer.slice(0, newline);
            conn.buffer = conn.buffer.slice(newline + 1);
            conn.queue = conn.queue.then(async () => send(socket, await handle(conn, line)));
          }
          if (conn.buffer.length > MAX_LINE_BYTES) {
            conn.buffer = "";
            conn.queue = conn.queue.then(() => void socket.end(encode(errorAnswer("bad-request", EXIT.brokerRefused, `A request line is longer than ${MAX_LINE_BYTES} bytes.`))));
          }
        },
        error() {
          // A client that went away mid-answer costs only its own answer.
        },
      },
    });
  } catch (error) {
    throw new IclaudeError(`Cannot listen on ${options.socketPath}: ${error instanceof Error ? error.message : String(error)}.`, EXIT.brokerSocket);
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(options.socketPath, 0o600);
  const inode = lstatSync(options.socketPath).ino;

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
