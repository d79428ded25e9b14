/** Writes iclaude(1) from the command table, the same data `--help` renders; for build and release. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { commandTree } from "../src/cli/tree.ts";
import { commands } from "../src/commands/index.ts";
import { renderManPage } from "../src/ui/man.ts";

export async function writeManPage(file: string): Promise<void> {
  const page = renderManPage(await commandTree(commands));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, page);
}
