import { launch as launchClaude } from "../launcher/launch.ts";
import { processTerminal } from "../ui/terminal.ts";

async function writeStdout(chunk: Uint8Array): Promise<void> {
  await Bun.write(Bun.stdout, chunk);
}

/** `iclaude [run] [--] ARGS`: the launch policy lives in launcher/; the command owns the stdio it hands over. */
export const launch = (args: string[]): Promise<number> => launchClaude(args, { writeStdout, stdin: () => Bun.stdin.stream(), terminal: processTerminal });
