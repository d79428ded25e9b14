import { createConsola, type ConsolaReporter, type LogObject } from "consola/core";
import { formatWithOptions } from "node:util";
import { maskSecrets } from "../base/secrets.ts";

const useColor = (): boolean =>
  !process.env.NO_COLOR && process.env.TERM !== "dumb" && process.stderr.isTTY === true;

const tint = (type: LogObject["type"], text: string): string => {
  if (!useColor()) return text;
  if (type === "error" || type === "fatal") return `\x1b[31m${text}\x1b[39m`;
  if (type === "warn") return `\x1b[33m${text}\x1b[39m`;
  if (type === "success") return `\x1b[32m${text}\x1b[39m`;
  if (type === "debug" || type === "trace") return `\x1b[2m${text}\x1b[22m`;
  return text;
};

/** One line per message, `iclaude: …`, on stderr, every argument masked. */
const reporter: ConsolaReporter = {
  log(entry) {
    const args = entry.args.map((arg: unknown) =>
      arg instanceof Error ? (process.env.ICLAUDE_DEBUG === "1" ? (arg.stack ?? arg.message) : arg.message) : arg,
    );
    const formatted = maskSecrets(formatWithOptions({ colors: false }, ...args));
    // Words that arrive coloured (a library's message) lose the colour where stderr is no terminal.
    const text = useColor() ? formatted : Bun.stripANSI(formatted);
    const tag = entry.type === "debug" || entry.type === "trace" ? "iclaude[debug]" : "iclaude";
    process.stderr.write(`${tint(entry.type, `${tag}: ${text}`)}\n`);
  },
};

export const log = createConsola({
  reporters: [reporter],
  level: process.env.ICLAUDE_DEBUG === "1" ? 4 : 3,
});

/** `--quiet`: only errors. */
export function quietLogs(): void {
  log.level = 0;
}

/** `--background`: nothing at all, errors included (they go to the state log instead). */
export function silentLogs(): void {
  log.level = -999;
}
