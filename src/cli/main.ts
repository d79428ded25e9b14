import { asIclaudeError, EXIT, IclaudeError, isOutOfFiles } from "../base/errors.ts";
import type { CommandData } from "../commands/_shared.ts";
import { commands, headStart, launchClaude, type OwnCommand } from "../commands/index.ts";
import { log, logsWritten } from "../ui/log.ts";
import { out, stdoutFailure } from "../ui/out.ts";
import { versionText } from "../version.ts";
import { checkArgv, helpTarget, positionalArgs, wantsHelp } from "./argv.ts";
import { route } from "./route.ts";

async function node(name: OwnCommand) {
  const { resolveNode } = await import("./tree.ts");
  return resolveNode(await commands[name](), [name]);
}

/** `iclaude help [COMMAND...]`, `iclaude --help`, `iclaude COMMAND --help`. */
async function help(path: string[]): Promise<number> {
  const { renderCommandHelp, renderTopHelp } = await import("../ui/help.ts");
  const [name, ...rest] = path;
  if (name === undefined) {
    const { commandTree } = await import("./tree.ts");
    await out(renderTopHelp(await commandTree(commands)));
    return EXIT.ok;
  }
  if (!(name in commands)) {
    const { closest } = await import("../base/did-you-mean.ts");
    const near = closest(name, Object.keys(commands));
    throw new IclaudeError(
      `There is no iclaude command "${name.slice(0, 40)}"${near ? `; did you mean \`iclaude help ${near}\`?` : "; see `iclaude --help`."}`,
      EXIT.usage,
    );
  }
  await out(renderCommandHelp(helpTarget(await node(name as OwnCommand), rest)));
  return EXIT.ok;
}

async function runOwn(name: OwnCommand, args: string[]): Promise<number> {
  if (wantsHelp(args)) return help([name, ...args.filter((a) => !a.startsWith("-"))]);
  headStart(name, args);
  const root = await node(name);
  const leaf = checkArgv(root, args);
  const positional = positionalArgs(root, leaf, args);
  // The whole table, for the commands that list every command (init's and completion's completions).
  const data: CommandData = { commandTree: async () => (await import("./tree.ts")).commandTree(commands) };
  const result = positional
    ? await leaf.def.run?.({ rawArgs: args, args: positional as never, cmd: leaf.def, data })
    : (await (await import("citty")).runCommand(root.def, { rawArgs: args, data })).result;
  return typeof result === "number" ? result : EXIT.ok;
}

/** The one place an error becomes words and an exit code. */
function report(error: unknown): number {
  if (error instanceof IclaudeError || isOutOfFiles(error)) {
    const expected = asIclaudeError(error);
    log.error(expected.message);
    return expected.exitCode;
  }
  if (error instanceof Error && error.name === "CLIError") {
    log.error(`${error.message.replace(/\.$/, "")}; see \`iclaude --help\`.`);
    return EXIT.usage;
  }
  log.error(error instanceof Error ? error : String(error));
  log.error("this is a bug in iclaude; rerun with ICLAUDE_DEBUG=1 and report it.");
  return EXIT.bug;
}

async function main(argv: string[]): Promise<number> {
  const r = route(argv);
  switch (r.kind) {
    case "help":
      return help(r.path);
    case "version":
      await out(versionText());
      return EXIT.ok;
    case "typo":
      throw new IclaudeError(
        `\`${r.word.slice(0, 40)}\` is not an iclaude ${r.word.startsWith("-") ? "option" : "command"}; did you mean \`iclaude ${r.suggestion}\`? (To hand it to claude: \`iclaude -- ${r.word.slice(0, 40)}\`.)`,
        EXIT.usage,
      );
    case "command":
      return runOwn(r.name, r.args);
    case "claude":
      return launchClaude(r.args);
  }
}

/** A stdout that could not be written is said last; the run's own exit code stands unless it was success. */
function settle(code: number): number {
  const failure = stdoutFailure();
  if (!failure) return code;
  log.error(failure.message);
  return code === EXIT.ok ? failure.exitCode : code;
}

const exit = async (code: number): Promise<never> => {
  const final = settle(code);
  await logsWritten();
  process.exit(final);
};

main(process.argv.slice(2)).then(exit, (error: unknown) => exit(report(error)));
