import { loadConfig } from "../base/config.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { PRINTABLE_TOKEN } from "../base/secrets.ts";
import { isTerminal } from "../base/tty.ts";
import { type UsableToken, usableToken } from "../refresh/engine.ts";
import { log } from "../ui/log.ts";
import { out } from "../ui/out.ts";
import { grantProgress } from "../ui/progress.ts";
import { processTerminal } from "../ui/terminal.ts";
import { command, REFRESH_CONFIG, REFRESH_ENV, REFRESH_EXITS, withHelp } from "./_shared.ts";

export default withHelp(
  command({
    meta: { name: "token", description: "Print the access token claude would use, refreshing first if due" },
    args: {
      broker: { type: "string", valueHint: "PATH", description: "Inside a container: ask the broker on this socket instead (env ICLAUDE_BROKER)" },
    },
    async run({ args }) {
      const { brokerPath, brokerProfile, requestToken } = await import("../broker/client.ts");
      const socket = brokerPath(args.broker);
      if (socket) {
        await out(`${(await requestToken(socket, brokerProfile(undefined))).accessToken}\n`);
        return EXIT.ok;
      }
      const config = loadConfig();
      const interactive = isTerminal(0) && isTerminal(1);
      const progress = grantProgress({ stillWaiting: isTerminal(2) });
      let current: UsableToken["current"];
      try {
        const usable = await usableToken(config, { terminal: interactive ? processTerminal : undefined, onGrant: progress.onGrant });
        // Scripts get a token that still works after a failed refresh, with the failure as a warning.
        for (const warning of [usable.warning, usable.failure?.message]) if (warning) log.warn(warning);
        current = usable.current;
      } finally {
        progress.stop();
      }
      if (!current) {
        throw new IclaudeError(
          "There is no usable Claude access token; run `iclaude refresh` at a terminal, or log in with `claude /login`.",
          EXIT.loginRequired,
        );
      }
      // A token is printable ASCII; anything else (escape sequences, newlines) would act on the terminal or the script reading it.
      if (!PRINTABLE_TOKEN.test(current.accessToken)) {
        throw new IclaudeError(
          "The stored access token holds characters no token has, so it is not printed; run `iclaude refresh --force`, or log in with `claude /login`.",
          EXIT.loginRequired,
        );
      }
      await out(`${current.accessToken}\n`);
      return EXIT.ok;
    },
  }),
  {
    examples: [['curl -H "Authorization: Bearer $(iclaude token)" -H "anthropic-beta: oauth-2025-04-20" …', "the only command that prints a token"]],
    env: REFRESH_ENV,
    config: REFRESH_CONFIG,
    exits: [["0", "printed (with a warning if a due refresh failed but the token still works)"], ...REFRESH_EXITS],
  },
);
