import { resolve } from "node:path";
import { EXIT } from "../base/errors.ts";
import type { Profile } from "../credentials/profiles.ts";
import type { Connection } from "./connection.ts";
import type { Peer } from "./peer.ts";
import { type Answer, errorAnswer, parseRequest } from "./protocol.ts";

/** One request as the broker's log tells it: who asked, for what, and what went back (no token). */
export interface RequestRecord {
  peer: Peer | null;
  profile: string | null;
  answer: Answer;
  /** A refresh that failed while the current token still works: the token went out, this is why it is old. */
  warning?: string;
}

/** A profile's answer, and why its token is old when a refresh failed. */
export interface Answered {
  answer: Answer;
  warning?: string;
}

/** What a box sent, as one quoted line for the log and the answer: no newline or terminal control survives. */
const shown = (text: string): string =>
  JSON.stringify(text.slice(0, 200)).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * What one request line gets: a refusal when it is not a request of ours or names a profile not
 * served, else the answer for its profile (the first served when it names none). Each is logged.
 */
export function requestHandler(
  profiles: Profile[],
  answerProfile: (profile: Profile) => Promise<Answered>,
  onRequest: (record: RequestRecord) => void,
): (conn: Connection, line: string) => Promise<Answer> {
  return async (conn, line) => {
    const request = parseRequest(line);
    if (!request) {
      const answer = errorAnswer("bad-request", EXIT.brokerRefused, `Not a broker request of protocol version 1 (expected {"v":1,"op":"token"}).`);
      onRequest({ peer: conn.peer, profile: null, answer });
      return answer;
    }
    const named = request.profile ? resolve(request.profile) : null;
    const profile = named ? profiles.find((p) => p.dir === named) : profiles[0];
    if (!profile) {
      const answer = errorAnswer(
        "unknown-profile",
        EXIT.brokerRefused,
        `This broker does not serve the profile ${shown(request.profile ?? "")}; it serves ${profiles.map((p) => p.dir).join(", ")}.`,
      );
      onRequest({ peer: conn.peer, profile: shown(request.profile ?? ""), answer });
      return answer;
    }
    const { answer, warning } = await answerProfile(profile);
    onRequest({ peer: conn.peer, profile: profile.dir, answer, warning });
    return answer;
  };
}
