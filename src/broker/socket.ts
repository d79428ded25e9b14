import { lstatSync, mkdirSync, statSync, unlinkSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join } from "node:path";
import type { Config } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { describeFsError, EXIT, errnoCode, IclaudeError } from "../base/errors.ts";

/**
 * `$XDG_RUNTIME_DIR/iclaude/broker.sock`, else a `broker/` dir of its own in
 * the state dir: the dir is what a container mounts, so it holds nothing else
 * (the state dir keeps the long-lived token).
 */
export function defaultSocketPath(config: Pick<Config, "stateDir">, env: Env = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, "iclaude", "broker.sock") : join(config.stateDir, "broker", "broker.sock");
}

/** True when something accepts connections on `path`: a live broker, which is never pushed aside. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const done = (live: boolean) => {
      socket.destroy();
      resolve(live);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(2000, () => done(true));
  });
}

const refuse = (sentence: string): IclaudeError => new IclaudeError(sentence, EXIT.brokerSocket);

/**
 * The socket's dir: made 0700, or an existing one that only its owner — this
 * user — can enter. A symbolic link there is followed only when it is this
 * user's own: another user could point it elsewhere once it has been checked.
 */
function privateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const self = process.getuid?.();
    const link = lstatSync(dir);
    if (link.isSymbolicLink() && self !== undefined && link.uid !== self) {
      throw refuse(
        `The socket's dir ${dir} is a symbolic link owned by another user (uid ${link.uid}), who could point it elsewhere; use a dir of your own (--socket).`,
      );
    }
    const st = statSync(dir);
    if (self !== undefined && st.uid !== self) throw refuse(`The socket's dir ${dir} belongs to another user; use a dir of your own (--socket).`);
    if ((st.mode & 0o077) !== 0)
      throw refuse(
        `The socket's dir ${dir} can be entered by other users (mode ${(st.mode & 0o777).toString(8)}); \`chmod 700\` it or choose another --socket.`,
      );
  } catch (error) {
    if (error instanceof IclaudeError) throw error;
    throw refuse(`Cannot make the socket's dir ${dir}: ${describeFsError(error)}.`);
  }
}

/**
 * Makes `path` free to listen on: a private dir, and no live broker. A socket
 * nobody answers on is a dead broker's, and removed; anything else is left alone.
 */
export async function claimSocketPath(path: string): Promise<void> {
  privateDir(dirname(path));
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return;
    throw refuse(`Cannot check ${path}: ${describeFsError(error)}.`);
  }
  if (!isSocket) throw refuse(`${path} exists and is not a socket; remove it or choose another --socket.`);
  if (await answers(path)) throw refuse(`Another broker is serving ${path}; stop it first, or choose another --socket.`);
  unlinkSync(path);
}

/** Removes the socket on the way out, only while it is still the one this broker made (same inode). */
export function releaseSocketPath(path: string, inode: number): void {
  try {
    if (lstatSync(path).ino === inode) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
