import { chmodSync, lstatSync } from "node:fs";
import { EXIT, IclaudeError, messageOf } from "../base/errors.ts";
import type { Connection } from "./connection.ts";
import type { Peer } from "./peer.ts";
import { releaseSocketPath } from "./socket.ts";
import { type Conversation, conversations } from "./wire.ts";

/** The broker's socket, and the inode it was made with: only that file is removed at the end. */
export interface Listening {
  listener: Bun.UnixSocketListener<Connection>;
  inode: number;
}

/** How long the broker waits to see its own connection at start. */
const PROBE_WAIT_MS = 5000;

/**
 * Listens on `socketPath`, made 0600 under umask 077, then connects to itself: every peer is
 * checked, so a system where the check cannot work would refuse every box — found out now.
 */
export async function listenChecked(socketPath: string, talk: Omit<Conversation, "opened">): Promise<Listening> {
  /** Set while the broker connects to itself: the first peer it sees is its own. */
  let probe: ((peer: Peer | null) => void) | null = null;
  const opened = (peer: Peer | null) => {
    probe?.(peer);
    probe = null;
  };
  const previousUmask = process.umask(0o077);
  let listener: Bun.UnixSocketListener<Connection>;
  try {
    listener = Bun.listen<Connection>({ unix: socketPath, socket: conversations({ ...talk, opened }) });
  } catch (error) {
    throw new IclaudeError(`Cannot listen on ${socketPath}: ${messageOf(error)}.`, EXIT.brokerSocket);
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(socketPath, 0o600);
  const inode = lstatSync(socketPath).ino;
  const seen = new Promise<Peer | null>((resolve) => {
    probe = resolve;
    setTimeout(() => resolve(null), PROBE_WAIT_MS).unref();
  });
  const self = await Bun.connect({ unix: socketPath, socket: { data() {} } }).catch(() => null);
  const peer = await seen;
  self?.end();
  // Only whether a peer can be named is asked here: a client of another uid that connected first is refused as usual.
  if (peer === null) {
    listener.stop(true);
    releaseSocketPath(socketPath, inode);
    throw new IclaudeError(
      `iclaude cannot learn which user connects to ${socketPath} on this system (${process.platform}: no peer credentials), so it will not serve tokens there.`,
      EXIT.brokerSocket,
    );
  }
  return { listener, inode };
}

/**
 * The broker's stop, once however often called: stops accepting, lets the answers in flight
 * finish (a refresh is never cut short), removes the socket, then closes what is still open.
 */
export function stopper(socketPath: string, { listener, inode }: Listening, inFlight: () => Promise<unknown>[]): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      listener.stop();
      await Promise.allSettled(inFlight());
      releaseSocketPath(socketPath, inode);
      listener.stop(true);
    })();
    return stopping;
  };
}
