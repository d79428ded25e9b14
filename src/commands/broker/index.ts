import { command, withHelp } from "../_shared.ts";
import serve from "./serve.ts";
import { install, remove, status } from "./service.ts";
import sync from "./sync.ts";

export default withHelp(
  command({
    meta: { name: "broker", description: "Share a login with containers and sandboxes: access tokens over a unix socket, never the refresh token" },
    subCommands: { serve, sync, install, status, remove },
  }),
  {
    examples: [
      ["iclaude broker serve", "on the host: serve ~/.claude's login"],
      ["iclaude broker sync --broker /run/iclaude/broker.sock --to ~/.claude", "in a box: keep its credentials fresh"],
      ["iclaude token --broker /run/iclaude/broker.sock", "in a box: print the access token"],
      ["iclaude broker install", "on the host: a user service that keeps `broker serve` running"],
    ],
    otherWords: { uninstall: "iclaude broker remove" },
    env: ["ICLAUDE_BROKER", "ICLAUDE_BROKER_PROFILE", "XDG_RUNTIME_DIR"],
    exits: [
      ["0", "served until SIGTERM or SIGINT; synced; the service installed, shown or removed"],
      ["30", "no broker answers on the socket"],
      ["31", "the broker refused: another user, a profile it does not serve, a bad request"],
      ["32", "broker serve cannot use the socket (another broker holds it, or its dir is not private)"],
      ["20-23", "the host could not produce a token: refresh's own codes"],
      ["2", "bad usage"],
    ],
  },
);
