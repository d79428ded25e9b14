import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import bashTemplate from "../../shell/iclaude.bash" with { type: "text" };
import fishTemplate from "../../shell/iclaude.fish" with { type: "text" };
import zshTemplate from "../../shell/iclaude.zsh" with { type: "text" };
import { describeFsError, EXIT, IclaudeError } from "../base/errors.ts";
import { writePrivateFile } from "../base/fs.ts";
import { quoteFish, quotePosix } from "../base/shell-quote.ts";
import { fillContract } from "../edges/contract.ts";
import type { HelpNode } from "../ui/command-node.ts";
import { type CompletionShell, renderCompletion } from "../ui/completions.ts";
import { type CommandData, command, withHelp } from "./_shared.ts";

export type Shell = CompletionShell;
export const SHELLS: Shell[] = ["zsh", "bash", "fish"];

const TEMPLATES: Record<Shell, string> = { zsh: zshTemplate, bash: bashTemplate, fish: fishTemplate };

const CLAUDE_FUNCTION = /^[ \t]*# >>> claude function\n[\s\S]*?^[ \t]*# <<< claude function\n/m;

/** The integration script for one shell, calling the binary at `bin`, with the completions of `nodes`. */
export function renderInit(shell: Shell, bin: string, nodes: HelpNode[], options: { claudeFunction: boolean }): string {
  const template = options.claudeFunction ? TEMPLATES[shell] : TEMPLATES[shell].replace(CLAUDE_FUNCTION, "");
  const quoted = shell === "fish" ? quoteFish(bin) : quotePosix(bin);
  return fillContract(template)
    .replace(/^[ \t]*# (>>>|<<<) claude function\n/gm, "")
    .replace("@ICLAUDE_COMPLETION@\n", () => renderCompletion(shell, nodes))
    .replaceAll("@ICLAUDE_BIN@", () => quoted);
}

/**
 * The integration as a file for the rc line to source: no process at shell start. It runs itself
 * only while the binary is older than the file; after an upgrade it has the new binary write it
 * again and runs what that prints instead. When the binary it names is gone (an install that moved,
 * a symlink pointed at a new version), it returns 1, so the rc line's `||` has the iclaude on PATH
 * write it again.
 */
export function cachedInit(shell: Shell, bin: string, file: string, body: string, claudeFunction: boolean): string {
  const quote = shell === "fish" ? quoteFish : quotePosix;
  const again = [quote(bin), "init", shell, ...(claudeFunction ? [] : ["--no-claude-function"]), "--cache", quote(file)].join(" ");
  const head = `# iclaude's shell integration, written by \`iclaude init ${shell} --cache\`; it is written again when the binary changes.\n`;
  if (shell === "fish")
    return `${head}if not test -x ${quote(bin)}\n    return 1\nelse if test ${quote(bin)} -nt ${quote(file)}\n    ${again} | source\nelse\n${body}end\n`;
  return `${head}if [[ ! -x ${quote(bin)} ]]; then\n  return 1\nelif [[ ${quote(bin)} -nt ${quote(file)} ]]; then\n  eval "$(${again})"\nelse\n${body}fi\n`;
}

function writeCache(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writePrivateFile(file, text);
  } catch (error) {
    throw new IclaudeError(`Cannot write ${file} (${describeFsError(error)}); the integration was printed but not kept.`, EXIT.usage);
  }
}

export default withHelp(
  command({
    meta: { name: "init", description: "Print the shell integration: the prompt hook, the claude function and completions" },
    args: {
      shell: { type: "positional", required: true, valueHint: SHELLS.join("|"), description: "The shell to integrate with" },
      "claude-function": {
        type: "boolean",
        default: true,
        description: "Define `claude` as a function that runs iclaude",
        negativeDescription: "Leave `claude` alone",
      },
      cache: {
        type: "string",
        valueHint: "FILE",
        description: "Also write the integration to FILE, for an rc line that sources it without starting iclaude (install.sh's line)",
      },
    },
    async run({ args, data }) {
      const shell = args.shell as Shell;
      // The compiled binary's own path, so the hook runs this very build whatever PATH holds later.
      const body = renderInit(shell, process.execPath, await (data as CommandData).commandTree(), { claudeFunction: args["claude-function"] });
      process.stdout.write(body);
      if (args.cache) writeCache(args.cache, cachedInit(shell, process.execPath, args.cache, body, args["claude-function"]));
      return EXIT.ok;
    },
  }),
  {
    examples: [
      ['eval "$(iclaude init zsh)"', "in ~/.zshrc"],
      ['eval "$(iclaude init bash)"', "in ~/.bashrc"],
      ["iclaude init fish | source", "in ~/.config/fish/config.fish"],
      ['. ~/.cache/iclaude/init.zsh || eval "$(iclaude init zsh --cache ~/.cache/iclaude/init.zsh)"', "what install.sh writes: no process at shell start"],
    ],
    env: ["ICLAUDE_STATE_DIR"],
    exits: [
      ["0", "printed"],
      ["2", "an unknown shell"],
    ],
  },
);
