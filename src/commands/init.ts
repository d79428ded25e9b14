import { defineCommand } from "citty";
import bashTemplate from "../../shell/iclaude.bash" with { type: "text" };
import fishTemplate from "../../shell/iclaude.fish" with { type: "text" };
import zshTemplate from "../../shell/iclaude.zsh" with { type: "text" };
import { EXIT } from "../core/errors.ts";
import { renderCompletion, type CompletionShell } from "../ui/completions.ts";
import { quoteFish, quotePosix } from "../ui/shell-quote.ts";
import { withHelp } from "./_shared.ts";
import { commandTree, type CommandNode } from "./_tree.ts";

export type Shell = CompletionShell;
export const SHELLS: Shell[] = ["zsh", "bash", "fish"];

const TEMPLATES: Record<Shell, string> = { zsh: zshTemplate, bash: bashTemplate, fish: fishTemplate };

const CLAUDE_FUNCTION = /^[ \t]*# >>> claude function\n[\s\S]*?^[ \t]*# <<< claude function\n/m;

/** The integration script for one shell, calling the binary at `bin`, with the completions of `nodes`. */
export function renderInit(shell: Shell, bin: string, nodes: CommandNode[], options: { claudeFunction: boolean }): string {
  const template = options.claudeFunction ? TEMPLATES[shell] : TEMPLATES[shell].replace(CLAUDE_FUNCTION, "");
  const quoted = shell === "fish" ? quoteFish(bin) : quotePosix(bin);
  return template
    .replace(/^[ \t]*# (>>>|<<<) claude function\n/gm, "")
    .replace("@ICLAUDE_COMPLETION@\n", () => renderCompletion(shell, nodes))
    .replaceAll("@ICLAUDE_BIN@", () => quoted);
}

export default withHelp(
  defineCommand({
    meta: { name: "init", description: "Print the shell integration: the prompt hook, the claude function and completions" },
    args: {
      shell: { type: "positional", required: true, valueHint: SHELLS.join("|"), description: "The shell to integrate with" },
      "claude-function": {
        type: "boolean",
        default: true,
        description: "Define `claude` as a function that runs iclaude",
        negativeDescription: "Leave `claude` alone",
      },
    },
    async run({ args }) {
      // The compiled binary's own path, so the hook runs this very build whatever PATH holds later.
      process.stdout.write(renderInit(args.shell as Shell, process.execPath, await commandTree(), { claudeFunction: args["claude-function"] }));
      return EXIT.ok;
    },
  }),
  {
    examples: [
      ['eval "$(iclaude init zsh)"', "in ~/.zshrc"],
      ['eval "$(iclaude init bash)"', "in ~/.bashrc"],
      ["iclaude init fish | source", "in ~/.config/fish/config.fish"],
    ],
    env: ["ICLAUDE_STATE_DIR"],
    exits: [["0", "printed"], ["2", "an unknown shell"]],
  },
);
