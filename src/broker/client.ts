import { createConnection } from "node:net";
import type { Env } from "../base/env.ts";
import { EXIT, errnoCode, IclaudeError, messageOf } from "../base/errors.ts";
import { encode, MAX_LINE_BYTES, PROTOCOL_VERSION, parseAnswer, type TokenAnswer } from "./protocol.ts";

/**
 * Long enough for the broker's own refresh (30 s for the lock, a 60 s budget
 * for the grant): a broker that has gone fails at once by the socket, only a
 * frozen one waits this out.
 */
const ANSWER_TIMEOUT_MS = 100_000;

const START_HINT = "start `iclaude broker serve` on the host and mount its socket dir";

function unreachable(path: string, error: unknown): IclaudeError {
  switch (errnoCode(error)) {
    case "ENOENT":
      return new IclaudeError(`No broker at ${path}: the socket does not exist; ${START_HINT}.`, EXIT.brokerGone);
    case "ECONNREFUSED":
      return new IclaudeError(`The broker at ${path} is gone (nothing listens on the socket); ${START_HINT}.`, EXIT.brokerGone);
    case "EACCES":
    case "EPERM":
      return new IclaudeError(`Permission denied on the broker socket ${path}: the broker serves only the user that runs it.`, EXIT.brokerRefused);
    default:
      return new IclaudeError(`Cannot reach the broker at ${path} (${messageOf(error)}); ${START_HINT}.`, EXIT.brokerGone);
  }
}

/** One line from the broker, or the reason there is none. */
function exchange(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffer = "";
    let settled = false;
    const finish = (error: IclaudeError | null, answer = "") => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(answer);
    };
    socket.setTimeout(ANSWER_TIMEOUT_MS, () =>
      finish(new IclaudeError(`The broker at ${path} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s; check it on the host.`, EXIT.brokerGone)),
    );
    socket.once("connect", () => socket.write(line));
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      const newline = buffer.indexOf("\n");
      if (newline >= 0) finish(null, buffer.slice(0, newline));
      else if (buffer.length > 64 * MAX_LINE_BYTES)
        finish(new IclaudeError(`The broker at ${path} sent no answer line; is it an iclaude broker?`, EXIT.brokerGone));
    });
    socket.once("error", (error) => finish(unreachable(path, error)));
    socket.once("close", () =>
      finish(new IclaudeError(`The broker at ${path} closed the connection without answering; it may have stopped — ${START_HINT}.`, EXIT.brokerGone)),
    );
  });
}

/** The access token the broker hands out for `profile` (its first one when null); refusals and failures are IclaudeErrors with their exit codes. */
export async function requestToken(path: string, profile: string | null = null): Promise<TokenAnswer> {
  const line = await exchange(path, encode({ v: PROTOCOL_VERSION, op: "token", ...(profile ? { profile } : {}) }));
  const answer = parseAnswer(line);
  if (!answer)
    throw new IclaudeError(
      `The broker at ${path} answered in a form this iclaude does not know; use the same iclaude version inside and outside.`,
      EXIT.brokerRefused,
    );
  if (!answer.ok) {
    const lead = answer.code === "no-token" ? "The broker on the host has no token to give" : "The broker refused";
    throw new IclaudeError(`${lead}: ${answer.error}`, answer.exitCode);
  }
  return answer;
}

/** The broker socket a client uses: the flag, else ICLAUDE_BROKER; null when neither is set. */
export const brokerPath = (flag: string | undefined, env: Env = process.env): string | null => flag || env.ICLAUDE_BROKER || null;

/** The profile a client asks for: ICLAUDE_BROKER_PROFILE, else the broker's first. */
export const brokerProfile = (flag: string | undefined, env: Env = process.env): string | null => flag || env.ICLAUDE_BROKER_PROFILE || null;
