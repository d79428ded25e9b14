import { command, withHelp } from "../_shared.ts";
import install from "./install.ts";
import run from "./run.ts";

export default withHelp(
  command({
    meta: {
      name: "hooks",
      description: "The git guard: blocks commits that add Claude tokens, other agents' logins, API keys, credential files or private keys",
    },
    subCommands: { install, run },
  }),
  {
    examples: [["iclaude hooks install --global", "guard every repository"]],
    otherWords: { uninstall: "iclaude hooks install --uninstall", remove: "iclaude hooks install --uninstall" },
    exits: [
      ["0", "pass"],
      ["1", "blocked"],
      ["2", "bad guard config"],
    ],
  },
);
