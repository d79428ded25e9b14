import { defineCommand } from "citty";
import { z } from "zod";
import bashTemplate from "../../shell/iclaude.bash" with { type: "text" };
import fishTemplate from "../../shell/iclaude.fish" with { type: "text" };
import zshTemplate from "../../shell/iclaude.zsh" with { type: "text" };
import { EXIT, IclaudeError } from "../core/errors.ts";

const Shell = z.enum(["zsh", "bash", "fish"]);
export type Shell = z.infer<typeof Shell>;

const TEMPLATES: Record<Shell, string> = { zsh: zshTemplate, bash: bashTemplate, fish: fishTemplate };

/** One word for sh-family shells: single quotes, each `'` closed, escaped and reopened. */
const quotePosix = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
/** One word for fish: inside single quotes only `\` and `'` are special. */
const quoteFish = (text: string): string => `'${text.replace(/[\\']/g, "\\$&")}'`;

const CLAUDE_FUNCTION = /^[ \t]*# >>> claude function\n[\s\S]*?^[ \t]*# <<< claude function\n/m;

/** The integration script for one shell, calling the binary at `bin`. */
export function renderInit(shell: Shell, bin: string, options: { claudeFunction: boolean }): string {
  const template = options.claudeFunction ? TEMPLATES[shell] : TEMPLATES[shell].replace(CLAUDE_FUNCTION, "");
  const quoted = shell === "fish" ? quoteFish(bin) : quotePosix(bin);
  return template.replace(/^[ \t]*# (>>>|<<<) claude function\n/gm, "").replaceAll("@ICLAUDE_BIN@", () => quoted);
}

export default defineCommand({
  meta: {
    name: "init",
    description: 'Print the shell integration: eval "$(iclaude init zsh)", eval "$(iclaude init bash)", iclaude init fish | source',
  },
  args: {
    shell: { type: "positional", required: true, valueHint: "zsh|bash|fish", description: "The shell to integrate with" },
    "claude-function": {
      type: "boolean",
      default: true,
      description: "Define `claude` as a function that runs iclaude",
      negativeDescription: "Leave `claude` alone",
    },
  },
  run({ args }) {
    const shell = Shell.safeParse(args.shell);
    if (!shell.success) throw new IclaudeError(`Unknown shell "${String(args.shell).slice(0, 40)}": use zsh, bash or fish.`, EXIT.usage);
    // The compiled binary's own path, so the hook runs this very build whatever PATH holds later.
    process.stdout.write(renderInit(shell.data, process.execPath, { claudeFunction: args["claude-function"] }));
    return EXIT.ok;
  },
});
