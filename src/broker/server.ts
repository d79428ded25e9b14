import type { ConfigFlags } from "../base/config.ts";
import { asIclaudeError, EXIT, IclaudeError } from "../base/errors.ts";
import { configFor, type Profile } from "../credentials/profiles.ts";
import { usableToken } from "../refresh/engine.ts";
import { listenChecked, stopper } from "./listener.ts";
import { errorAnswer, tokenAnswer } from "./protocol.ts";
import { type Answered, type RequestRecord, requestHandler } from "./requests.ts";
import { claimSocketPath } from "./socket.ts";

export type { RequestRecord };

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

/**
 * The token for one profile through the one refresh path (locks, re-read,
 * cooldown, dead-token memory); as `iclaude token`, a failed refresh still
 * hands out a token that works.
 */
async function answerFor(profile: Profile, flags: ConfigFlags): Promise<Answered> {
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

/**
 * Single flight: every request for a profile while one is being answered, or in the same turn of
 * the event loop, shares that answer — under a flood, one answer a turn however many ask.
 */
function singleFlight(flags: ConfigFlags): { answer(profile: Profile): Promise<Answered>; pending(): Promise<Answered>[] } {
  const inFlight = new Map<string, Promise<Answered>>();
  return {
    answer(profile) {
      let pending = inFlight.get(profile.dir);
      if (!pending) {
        pending = answerFor(profile, flags).finally(() => setImmediate(() => inFlight.delete(profile.dir)));
        inFlight.set(profile.dir, pending);
      }
      return pending;
    },
    pending: () => [...inFlight.values()],
  };
}

/** Serves the profiles' access tokens on the socket until stopped; see listener.ts for the socket and requests.ts for a request. */
export async function startBroker(options: BrokerOptions): Promise<Broker> {
  await claimSocketPath(options.socketPath);
  const answers = singleFlight(options.flags ?? {});
  const listening = await listenChecked(options.socketPath, {
    handle: requestHandler(options.profiles, answers.answer, options.onRequest),
    refused: (conn, answer) => options.onRequest({ peer: conn.peer, profile: null, answer }),
  });
  return { stop: stopper(options.socketPath, listening, answers.pending) };
}
