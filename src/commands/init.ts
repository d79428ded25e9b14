import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { describeFsError, EXIT, IclaudeError } from "../base/errors.ts";
import { writePrivateFile } from "../base/fs.ts";
import { fillTemplate, INIT_SHELLS, type InitShell, SHELLS } from "../edges/shells.ts";
import type { HelpNode } from "../ui/command-node.ts";
import { renderCompletion } from "../ui/completions.ts";
import { out } from "../ui/out.ts";
import { type CommandData, command, withHelp } from "./_shared.ts";

const CLAUDE_FUNCTION = /^[ \t]*# >>> claude function\n[\s\S]*?^[ \t]*# <<< claude function\n/m;

/** The integration script for one shell, calling the binary at `bin`, with the completions of `nodes`. */
export function renderInit(shell: InitShell, bin: string, nodes: HelpNode[], options: { claudeFunction: boolean }): string {
  const { template } = SHELLS[shell];
  return fillTemplate(shell, options.claudeFunction ? template : template.replace(CLAUDE_FUNCTION, ""), bin)
    .replace(/^[ \t]*# (>>>|<<<) claude function\n/gm, "")
    .replace("@ICLAUDE_COMPLETION@\n", () => renderCompletion(shell, nodes));
}

/**
 * The integration as a file for the rc line to source: no process at shell start. It runs itself
 * only while the binary is older than the file; after an upgrade it has the new binary write it
 * again and runs what that prints instead. When the binary it names is gone (an install that moved,
 * a symlink pointed at a new version), it returns 1, so the rc line's `||` has the iclaude on PATH
 * write it again.
 */
export function cachedInit(shell: InitShell, bin: string, file: string, body: string, claudeFunction: boolean): string {
  const { quote, cached } = SHELLS[shell];
  const again = [quote(bin), "init", shell, ...(claudeFunction ? [] : ["--no-claude-function"]), "--cache", quote(file)].join(" ");
  const head = `# iclaude's shell integration, written by \`iclaude init ${shell} --cache\`; it is written again when the binary changes.\n`;
  return head + cached(quote(bin), quote(file), again, body);
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
      shell: { type: "positional", required: true, valueHint: INIT_SHELLS.join("|"), description: "The shell to integrate with" },
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
      const shell = args.shell as InitShell;
      // The compiled binary's own path, so the hook runs this very build whatever PATH holds later.
      const body = renderInit(shell, process.execPath, await (data as CommandData).commandTree(), { claudeFunction: args["claude-function"] });
      await out(body);
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
