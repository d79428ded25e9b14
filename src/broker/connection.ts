import type { Peer } from "./peer.ts";
import { MAX_LINE_BYTES } from "./protocol.ts";

/**
 * What one connection may cost the broker, and who goes when there are too
 * many. A box that pipelines without reading is held by the socket's own
 * back-pressure: past these bounds the broker stops reading it.
 */

/** A connection that asks nothing for this long is closed (one that waits for an answer is not). */
export const IDLE_SECONDS = 30;
/** Past this many connections one is closed: a flood costs its own connections, never the broker's file descriptors. */
export const MAX_CONNECTIONS = 256;
/** Requests taken from a connection and not yet answered; the rest wait in its buffer. */
export const MAX_UNANSWERED = 16;
/** Bytes read from a connection and not yet taken as requests; past this the broker stops reading it. */
export const MAX_BUFFERED_BYTES = MAX_UNANSWERED * MAX_LINE_BYTES;

export interface Connection {
  peer: Peer | null;
  /** Another user: its first request is answered `not-allowed`, the rest ignored. */
  refused: "no" | "pending" | "answered";
  /** Read and not yet taken as requests. */
  buffer: Buffer;
  /** Answers go out in the order the requests came. */
  queue: Promise<void>;
  unanswered: number;
  /** Requests taken since it opened: among equally busy connections, the one that asked most is the greediest. */
  asked: number;
  /** Answer bytes the socket has not taken yet, and who waits for it to take them. */
  unsent: Buffer;
  drained: (() => void) | null;
  /** `ending`: a line was too long, nothing more is taken; `closed`: gone, what it still had queued is dropped, not answered. */
  state: "open" | "ending" | "closed";
}

export const newConnection = (peer: Peer | null, allowed: boolean): Connection => ({
  peer,
  refused: allowed ? "no" : "pending",
  buffer: Buffer.alloc(0),
  queue: Promise.resolve(),
  unanswered: 0,
  asked: 0,
  unsent: Buffer.alloc(0),
  drained: null,
  state: "open",
});

/** The next request line taken from the buffer; null when no whole line has come yet; "too-long" for a line past the limit. */
export function takeLine(conn: Connection): string | null | "too-long" {
  const newline = conn.buffer.subarray(0, MAX_LINE_BYTES + 1).indexOf(0x0a);
  if (newline < 0) return conn.buffer.length > MAX_LINE_BYTES ? "too-long" : null;
  const line = conn.buffer.subarray(0, newline).toString("utf8");
  conn.buffer = conn.buffer.subarray(newline + 1);
  return line;
}

const waiting = (conn: Connection): number => conn.unanswered * MAX_LINE_BYTES + conn.buffer.length;

/**
 * Which connection to close when a newcomer takes the broker past its limit:
 * the oldest one that waits for nothing, else the one with the most work
 * waiting. The newcomer itself never: a box that asks once is always heard.
 */
export function toShed<T extends { data: Connection }>(open: Iterable<T>, newcomer: T): T | null {
  let greediest: T | null = null;
  for (const socket of open) {
    if (socket === newcomer) continue;
    if (waiting(socket.data) === 0) return socket;
    const more =
      greediest === null ||
      waiting(socket.data) > waiting(greediest.data) ||
      (waiting(socket.data) === waiting(greediest.data) && socket.data.asked > greediest.data.asked);
    if (more) greediest = socket;
  }
  return greediest;
}
