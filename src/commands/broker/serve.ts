import { statSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig } from "../../base/config.ts";
import { EXIT, IclaudeError } from "../../base/errors.ts";
import { maskToken } from "../../base/secrets.ts";
import { describePeer } from "../../broker/peer.ts";
import { type RequestRecord, startBroker } from "../../broker/server.ts";
import { defaultSocketPath } from "../../broker/socket.ts";
import { repeated } from "../../cli/argv.ts";
import { CLAUDE } from "../../credentials/claude.ts";
import { defaultClaudeDir, type Profile } from "../../credentials/profiles.ts";
import { log } from "../../ui/log.ts";
import { command } from "../_shared.ts";
import { untilSignal, validFor } from "./_shared.ts";

function servedProfiles(dirs: string[]): Profile[] {
  const defaultDir = defaultClaudeDir();
  if (dirs.length === 0) {
    const named = CLAUDE.namedConfigDir(process.env);
    return [{ dir: named ? resolve(named) : defaultDir, isDefault: !named, added: false }];
  }
  return [...new Set(dirs.map((d) => resolve(d)))].map((dir) => {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new IclaudeError(`--profile ${dir}: no such directory; give a Claude Code config dir.`, EXIT.usage);
    return { dir, isDefault: dir === defaultDir, added: false };
  });
}

function logRequest({ peer, profile, answer, warning }: RequestRecord): void {
  const who = describePeer(peer);
  if (!answer.ok) {
    log.warn(`${answer.code} for ${who}${profile ? ` (${profile})` : ""}: ${answer.error}`);
    return;
  }
  log.info(`token for ${who} (${profile}): ${maskToken(answer.accessToken)}, ${validFor(answer.expiresAt)}`);
  if (warning) log.warn(warning);
}

export default command({
  meta: { name: "serve", description: "Serve access tokens (never refresh tokens) on a unix socket, 0600 in a 0700 dir, until SIGTERM" },
  args: {
    socket: {
      type: "string",
      valueHint: "PATH",
      description: "The socket (default $XDG_RUNTIME_DIR/iclaude/broker.sock, else <state dir>/broker/broker.sock)",
    },
    profile: {
      type: "string",
      valueHint: "DIR",
      description: "A Claude Code config dir to serve; repeat for more (default: CLAUDE_CONFIG_DIR, else ~/.claude)",
    },
  },
  async run({ args, rawArgs }) {
    const config = loadConfig();
    const socketPath = resolve(args.socket ?? defaultSocketPath(config));
    const profiles = servedProfiles(repeated(rawArgs, "profile"));
    // The broker serves its config dirs' logins; a token from its own environment is no profile's.
    delete process.env.CLAUDE_CODE_OAUTH_TOKEN;
    const broker = await startBroker({ socketPath, profiles, onRequest: logRequest });
    log.info(`serving ${profiles.map((p) => p.dir).join(", ")} on ${socketPath}`);
    const signal = await untilSignal();
    await broker.stop();
    log.info(`stopped (${signal}); removed ${socketPath}`);
    return EXIT.ok;
  },
});
