import { launch as launchClaude } from "../launcher/launch.ts";

async function writeStdout(chunk: Uint8Array): Promise<void> {
  await Bun.write(Bun.stdout, chunk);
}

/** `iclaude [run] [--] ARGS`: the launch policy lives in launcher/; the command owns the terminal it writes to. */
export const launch = (args: string[]): Promise<number> => launchClaude(args, writeStdout);
