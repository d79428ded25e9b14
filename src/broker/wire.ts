import type { Socket, SocketHandler } from "bun";
import { EXIT } from "../base/errors.ts";
import { type Connection, IDLE_SECONDS, MAX_BUFFERED_BYTES, MAX_CONNECTIONS, MAX_UNANSWERED, newConnection, takeLine, toShed } from "./connection.ts";
import { type Peer, peerAllowed, peerOf } from "./peer.ts";
import { type Answer, encode, errorAnswer, MAX_LINE_BYTES } from "./protocol.ts";

/** What the broker does with a conversation: answer a line, log a refused peer, learn each new peer. */
export interface Conversation {
  handle(conn: Connection, line: string): Promise<Answer>;
  refused(conn: Connection, answer: Answer): void;
  opened(peer: Peer | null): void;
}

/**
 * The socket side of the broker: each connection's requests taken a bounded number at a time, one
 * answer a turn, written as fast as its reader takes them; a closed or shed connection's work dropped.
 */
export function conversations(talk: Conversation): SocketHandler<Connection> {
  /** Open connections, oldest first. */
  const open = new Set<Socket<Connection>>();

  /** Writes what the socket takes now; the rest goes at the next drain. */
  const flush = (socket: Socket<Connection>) => {
    const conn = socket.data;
    if (conn.unsent.length > 0 && socket.readyState > 0) {
      const written = socket.write(conn.unsent);
      conn.unsent = conn.unsent.subarray(Math.max(written, 0));
    }
    if (conn.unsent.length === 0 || socket.readyState <= 0) {
      conn.drained?.();
      conn.drained = null;
    }
  };

  /** Resolves once the answer is all with the kernel (or the client has gone): a slow reader slows only itself. */
  const send = (socket: Socket<Connection>, answer: Answer): Promise<void> => {
    const conn = socket.data;
    conn.unsent = Buffer.concat([conn.unsent, Buffer.from(encode(answer))]);
    flush(socket);
    if (conn.unsent.length === 0 || socket.readyState <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      conn.drained = resolve;
    });
  };

  /** Each request waits a turn of the event loop: a connection with many pipelined requests gets one answer a turn, as every other does. */
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  /** Requests taken before the line that was too long are answered; then the one refusal, and the connection is closed. */
  const tooLong = (socket: Socket<Connection>) => {
    const conn = socket.data;
    conn.state = "ending";
    conn.buffer = Buffer.alloc(0);
    socket.pause();
    const answer = errorAnswer("bad-request", EXIT.brokerRefused, `A request line is longer than ${MAX_LINE_BYTES} bytes.`);
    conn.queue = conn.queue.then(() => {
      if (conn.state !== "closed") socket.end(encode(answer));
    });
  };

  /** Takes as many requests from the buffer as the connection may have unanswered; reads on only while the buffer has room. */
  const pump = (socket: Socket<Connection>) => {
    const conn = socket.data;
    while (conn.state === "open" && conn.unanswered < MAX_UNANSWERED) {
      const line = takeLine(conn);
      if (line === null) break;
      if (line === "too-long") return tooLong(socket);
      if (conn.unanswered++ === 0) socket.timeout(0);
      conn.asked++;
      conn.queue = conn.queue.then(nextTurn).then(async () => {
        if (conn.state === "closed") return;
        await send(socket, await talk.handle(conn, line));
        answered(socket);
      });
    }
    if (conn.buffer.length >= MAX_BUFFERED_BYTES) socket.pause();
    else if (conn.state === "open") socket.resume();
  };

  const answered = (socket: Socket<Connection>) => {
    const conn = socket.data;
    conn.unanswered--;
    pump(socket);
    if (conn.unanswered === 0) socket.timeout(IDLE_SECONDS);
  };

  /** A connection gone, or shed: what it still had queued is dropped. */
  const forget = (socket: Socket<Connection>) => {
    const conn = socket.data;
    open.delete(socket);
    conn.state = "closed";
    conn.buffer = Buffer.alloc(0);
    conn.drained?.();
  };

  const refuse = (socket: Socket<Connection>) => {
    const answer = errorAnswer("not-allowed", EXIT.brokerRefused, "This broker serves only its own user; ask as that user.");
    talk.refused(socket.data, answer);
    socket.end(encode(answer));
  };

  return {
    open(socket) {
      // Bun sets `fd` on a unix socket but does not declare it.
      const peer = peerOf((socket as unknown as { fd?: number }).fd);
      talk.opened(peer);
      socket.data = newConnection(peer, peerAllowed(peer));
      open.add(socket);
      const shed = open.size > MAX_CONNECTIONS ? toShed(open, socket) : null;
      if (shed) {
        forget(shed);
        shed.terminate();
      }
      socket.timeout(IDLE_SECONDS);
    },
    close(socket) {
      forget(socket);
    },
    drain(socket) {
      flush(socket);
    },
    timeout(socket) {
      socket.terminate();
    },
    data(socket, chunk) {
      const conn = socket.data;
      if (conn.refused !== "no") {
        // Answered at its first request, so the client reads a refusal rather than a dropped connection.
        if (conn.refused === "pending") refuse(socket);
        conn.refused = "answered";
        return;
      }
      if (conn.state !== "open") return;
      conn.buffer = conn.buffer.length > 0 ? Buffer.concat([conn.buffer, chunk]) : Buffer.from(chunk);
      pump(socket);
    },
    error() {
      // A client that went away mid-answer costs only its own answer.
    },
  };
}
