import { launch as launchClaude } from "../launcher/launch.ts";
import { writeStdout } from "../ui/out.ts";
import { processTerminal } from "../ui/terminal.ts";

/** `iclaude [run] [--] ARGS`: the launch policy lives in launcher/; the command owns the stdio it hands over. */
export const launch = (args: string[]): Promise<number> => launchClaude(args, { writeStdout, stdin: () => Bun.stdin.stream(), terminal: processTerminal });
