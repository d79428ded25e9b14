import { EXIT } from "../base/errors.ts";
import { type CompletionShell, renderCompletionFile } from "../ui/completions.ts";
import { out } from "../ui/out.ts";
import { type CommandData, command, withHelp } from "./_shared.ts";

export default withHelp(
  command({
    meta: { name: "completion", description: "Print the shell completion alone, for shells set up without `iclaude init`" },
    args: {
      shell: { type: "positional", required: true, valueHint: "zsh|bash|fish", description: "The shell to complete in" },
    },
    async run({ args, data }) {
      await out(renderCompletionFile(args.shell as CompletionShell, await (data as CommandData).commandTree()));
      return EXIT.ok;
    },
  }),
  {
    examples: [
      ['eval "$(iclaude completion zsh)"', "in ~/.zshrc, after compinit (or without it: zsh's compctl is used)"],
      ['eval "$(iclaude completion bash)"', "in ~/.bashrc"],
      ["iclaude completion zsh > ~/.zfunc/_iclaude", "with ~/.zfunc on fpath before compinit: loaded on the first <Tab>"],
      ["iclaude completion bash > ~/.local/share/bash-completion/completions/iclaude", "loaded by bash-completion on the first <Tab>"],
      ["iclaude completion fish > ~/.config/fish/completions/iclaude.fish", ""],
    ],
    exits: [
      ["0", "printed"],
      ["2", "an unknown shell"],
    ],
  },
);
