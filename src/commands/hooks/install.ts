import { EXIT, IclaudeError } from "../../base/errors.ts";
import { outLines } from "../../ui/out.ts";
import { hookChangeWords } from "../../ui/words.ts";
import { command, withHelp } from "../_shared.ts";

export default withHelp(
  command({
    meta: {
      name: "install",
      description:
        "Install the guard's hooks (pre-commit, prepare-commit-msg, commit-msg; applypatch-msg and pre-applypatch for git am) in this repository (or globally)",
    },
    args: {
      global: {
        type: "boolean",
        description: "Install for every repository: a directory of iclaude's as the global core.hooksPath, still running each repository's own hooks",
      },
      force: { type: "boolean", description: "Chain the hook that is there even when an earlier chained hook would be replaced" },
      uninstall: { type: "boolean", description: "Remove iclaude's hooks and put back what was there" },
      all: {
        type: "boolean",
        description: "With --uninstall: from every repository iclaude installed into, and the global hooks (what ./install.sh --uninstall runs)",
      },
    },
    async run({ args }) {
      const [{ installGlobal, installRepo, uninstallEverywhere }, { loadConfig }] = await Promise.all([
        import("../../guard/install.ts"),
        import("../../base/config.ts"),
      ]);
      const binary = process.execPath;
      if (args.all && !args.uninstall)
        throw new IclaudeError("--all goes with --uninstall: `iclaude hooks install --uninstall --all`; installing is per repository, or --global.");
      const changes = args.all
        ? await uninstallEverywhere(binary, loadConfig())
        : args.global
          ? await installGlobal(binary, { uninstall: args.uninstall === true })
          : await installRepo(binary, { force: args.force === true, uninstall: args.uninstall === true }, loadConfig());
      await outLines(changes.map(({ hook, change }) => `${hook}: ${hookChangeWords(change)}`));
      return EXIT.ok;
    },
  }),
  {
    examples: [
      ["iclaude hooks install", "this repository"],
      ["iclaude hooks install --global", "every repository"],
      ["iclaude hooks install --uninstall", "put back what was there"],
      ["iclaude hooks install --uninstall --all", "every repository's and the global hooks"],
    ],
    exits: [
      ["0", "installed or removed"],
      ["2", "something in the way (the sentence says what)"],
    ],
  },
);
