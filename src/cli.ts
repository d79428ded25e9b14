import { renderUsage, runCommand, type ArgsDef, type CommandDef } from "citty";
import { commands, launchClaude } from "./commands/index.ts";
import { EXIT, IclaudeError } from "./core/errors.ts";
import { route, type OwnCommand } from "./route.ts";
import { log } from "./ui/log.ts";
import { VERSION } from "./version.ts";

const HELP = `iclaude ${VERSION} — keeps your Claude Code login alive

Usage:
  iclaude [claude args]            run claude, refreshing the login first (alias: iclaude run [--] ARGS)
  iclaude -- ARGS                  pass ARGS to claude untouched
  iclaude status [--json] [--quiet]
  iclaude refresh [--force] [--no-interactive] [--json]   (also: iclaude --refresh-token)
  iclaude token                    print the access token claude would use
  iclaude init zsh|bash|fish       print the shell integration
  iclaude hooks install|run        the git guard
  iclaude profiles [add|remove DIR]   the Claude config dirs looked after (status --all, refresh --all)
  iclaude schedule install|status|remove [--systemd|--launchd|--cron]   refresh them hourly, no shell needed
  iclaude broker serve [--socket PATH] [--profile DIR]...   serve access tokens to containers over a unix socket
  iclaude broker sync --broker PATH --to DIR [--once]      inside a container: keep a refresh-token-free login fresh
  iclaude token --broker PATH      inside a container: the access token from the broker (also ICLAUDE_BROKER)

Run \`iclaude COMMAND --help\` for a command's options.
`;

/** citty names a command by its parent's name: "iclaude status", "iclaude hooks install". */
const parentNamed = (name: string): CommandDef<ArgsDef> => ({ meta: { name } });

async function usageOf(name: OwnCommand, cmd: CommandDef<ArgsDef>, args: string[]): Promise<string> {
  const subCommands = typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands;
  const sub = args.find((a) => !a.startsWith("-"));
  const child = sub && subCommands?.[sub];
  if (child) {
    const resolved = typeof child === "function" ? await child() : await child;
    return renderUsage(resolved as CommandDef<ArgsDef>, parentNamed(`iclaude ${name}`));
  }
  return renderUsage(cmd, parentNamed("iclaude"));
}

async function runOwn(name: OwnCommand, args: string[]): Promise<number> {
  const cmd = await commands[name]();
  if (args.includes("--help") || args.includes("-h")) {
    const usage = await usageOf(name, cmd, args);
    const plain = !process.stdout.isTTY || Boolean(process.env.NO_COLOR);
    process.stdout.write(`${plain ? Bun.stripANSI(usage) : usage}\n`);
    return EXIT.ok;
  }
  const { result } = await runCommand(cmd, { rawArgs: args });
  return typeof result === "number" ? result : EXIT.ok;
}

/** The one place an error becomes words and an exit code. */
function report(error: unknown): number {
  if (error instanceof IclaudeError) {
    log.error(error.message);
    return error.exitCode;
  }
  if (error instanceof Error && error.name === "CLIError") {
    log.error(`${error.message}; see \`iclaude --help\`.`);
    return EXIT.usage;
  }
  log.error(error instanceof Error ? error : String(error));
  log.error("this is a bug in iclaude; rerun with ICLAUDE_DEBUG=1 and report it.");
  return 70;
}

async function main(argv: string[]): Promise<number> {
  const r = route(argv);
  switch (r.kind) {
    case "help":
      process.stdout.write(HELP);
      return EXIT.ok;
    case "version":
      process.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    case "command":
      return runOwn(r.name, r.args);
    case "claude":
      return launchClaude(r.args);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(report(error)),
);
