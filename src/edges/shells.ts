/**
 * The shells iclaude writes for, in one table (direnv's `Shell` interface): each owns how a word is
 * quoted for it, the integration `iclaude init` renders for it, and how a command is put to a person
 * who uses it. POSIX sh is the shell of the git hook stubs, the crontab line and the units' commands.
 * Templates are filled from the contract (edges/contract.ts); the binary's path is quoted here.
 */
import bashTemplate from "../../shell/iclaude.bash" with { type: "text" };
import fishTemplate from "../../shell/iclaude.fish" with { type: "text" };
import zshTemplate from "../../shell/iclaude.zsh" with { type: "text" };
import { fillContract } from "./contract.ts";
import { quoteFish, quotePosix } from "./quote.ts";

export type ShellName = "zsh" | "bash" | "fish" | "sh";
/** The shells `iclaude init` integrates with: each has a prompt hook template. */
export type InitShell = Exclude<ShellName, "sh">;

export interface Shell {
  readonly name: ShellName;
  /** One word this shell reads back as exactly `text`. */
  readonly quote: (text: string) => string;
}

/** A shell with a prompt hook: what `iclaude init` renders for it, and how a person loads it. */
export interface InitShellEntry extends Shell {
  readonly name: InitShell;
  /** The integration, the contract's placeholders and `@ICLAUDE_BIN@` still to fill. */
  readonly template: string;
  /** Where a person puts a line for this shell, as they would write it. */
  readonly rcFile: (env: Record<string, string | undefined>) => string;
  /** The rc line that loads the integration on every start. */
  readonly initLine: string;
  /** What puts `dir` on PATH: a line for the rc file, or a command run once. */
  readonly pathLine: (dir: string) => string;
  /**
   * The cached integration: `body` runs while the binary (`bin`, quoted) is older than the file
   * (`file`, quoted); after an upgrade `again` (a command printing the new integration) runs instead;
   * when the binary is gone, it returns 1 so the rc line's fallback writes it again.
   */
  readonly cached: (bin: string, file: string, again: string, body: string) => string;
}

const cachedPosix = (bin: string, file: string, again: string, body: string): string =>
  `if [[ ! -x ${bin} ]]; then\n  return 1\nelif [[ ${bin} -nt ${file} ]]; then\n  eval "$(${again})"\nelse\n${body}fi\n`;

const posixPath = (dir: string): string => `export PATH=${quotePosix(dir)}:"$PATH"`;

export const SHELLS: { readonly [name in InitShell]: InitShellEntry } & { readonly sh: Shell } = {
  zsh: {
    name: "zsh",
    quote: quotePosix,
    template: zshTemplate,
    rcFile: (env) => `${env.ZDOTDIR || "~"}/.zshrc`,
    initLine: 'eval "$(iclaude init zsh)"',
    pathLine: posixPath,
    cached: cachedPosix,
  },
  bash: {
    name: "bash",
    quote: quotePosix,
    template: bashTemplate,
    rcFile: () => "~/.bashrc",
    initLine: 'eval "$(iclaude init bash)"',
    pathLine: posixPath,
    cached: cachedPosix,
  },
  fish: {
    name: "fish",
    quote: quoteFish,
    template: fishTemplate,
    rcFile: () => "~/.config/fish/config.fish",
    initLine: "iclaude init fish | source",
    pathLine: (dir) => `fish_add_path ${quoteFish(dir)}`,
    cached: (bin, file, again, body) => `if not test -x ${bin}\n    return 1\nelse if test ${bin} -nt ${file}\n    ${again} | source\nelse\n${body}end\n`,
  },
  sh: { name: "sh", quote: quotePosix },
};

export const INIT_SHELLS: InitShell[] = ["zsh", "bash", "fish"];

/** The shell a person logs in with ($SHELL), whose words a suggested command is written in; bash when it is none iclaude knows. */
export function userShell(env: Record<string, string | undefined>): InitShellEntry {
  const name = (env.SHELL ?? "").split("/").at(-1);
  return name === "zsh" || name === "fish" ? SHELLS[name] : SHELLS.bash;
}

/** A shell's integration template with the contract filled in and every `@ICLAUDE_BIN@` the binary's path, quoted for it. */
export function fillTemplate(shell: InitShell, template: string, bin: string): string {
  const quoted = SHELLS[shell].quote(bin);
  return fillContract(template).replaceAll("@ICLAUDE_BIN@", () => quoted);
}
