import type { ConsolaInstance, ConsolaReporter, LogObject } from "consola/core";
import { maskSecrets } from "../base/secrets.ts";
import { showText } from "../base/show.ts";
import { isTerminal } from "../base/tty.ts";
import { quiet } from "./out.ts";

const useColor = (): boolean => !process.env.NO_COLOR && process.env.TERM !== "dumb" && isTerminal(2);

const tint = (type: LogObject["type"], text: string): string => {
  if (!useColor()) return text;
  if (type === "error" || type === "fatal") return `\x1b[31m${text}\x1b[39m`;
  if (type === "warn") return `\x1b[33m${text}\x1b[39m`;
  if (type === "success") return `\x1b[32m${text}\x1b[39m`;
  if (type === "debug" || type === "trace") return `\x1b[2m${text}\x1b[22m`;
  return text;
};

/** Lines handed to the stream and not yet written: it buffers what a stalled reader does not take, and process.exit drops that. */
let unwritten = 0;
let allWritten: (() => void) | null = null;

function writeLine(line: string): void {
  unwritten++;
  quiet(process.stderr).write(line, () => {
    if (--unwritten === 0) allWritten?.();
  });
}

/**
 * Resolves once every log line has reached stderr, or after `ms` for a reader that has stalled: the
 * run's last sentence (its error) is written just before process.exit, which drops what the stream
 * still holds.
 */
export function logsWritten(ms = 1_000): Promise<void> {
  if (unwritten === 0) return Promise.resolve();
  return new Promise((resolve) => {
    allWritten = resolve;
    setTimeout(resolve, ms);
  });
}

/** One line per message, `iclaude: …`, on stderr, every argument masked. */
const reporter: ConsolaReporter = {
  log(entry) {
    const args = entry.args.map((arg: unknown) =>
      arg instanceof Error ? (process.env.ICLAUDE_DEBUG === "1" ? (arg.stack ?? arg.message) : arg.message) : arg,
    );
    // As util.format without its %-directives, and without loading node:util (about 1 ms a run).
    const formatted = maskSecrets(args.map((arg) => (typeof arg === "string" ? arg : Bun.inspect(arg, { colors: false }))).join(" "));
    // Words that arrive coloured (a library's message) lose the colour where stderr is no terminal; any other
    // control character (a directory named with ESC or BEL) is shown escaped, line by line.
    const text = (useColor() ? formatted : Bun.stripANSI(formatted)).split("\n").map(showText).join("\n");
    const tag = entry.type === "debug" || entry.type === "trace" ? "iclaude[debug]" : "iclaude";
    writeLine(`${tint(entry.type, `${tag}: ${text}`)}\n`);
  },
};

let level = process.env.ICLAUDE_DEBUG === "1" ? 4 : 3;
let consola: ConsolaInstance | undefined;
/** Made, and consola loaded, on the first message: a run that says nothing (a launch, a passing commit hook) does not pay for it. */
const logger = (): ConsolaInstance => (consola ??= (require("consola/core") as typeof import("consola/core")).createConsola({ reporters: [reporter], level }));

type Say = (message: unknown, ...more: unknown[]) => void;
const say =
  (type: "error" | "warn" | "info" | "log" | "debug"): Say =>
  (...args) =>
    logger()[type](...args);

export const log = { error: say("error"), warn: say("warn"), info: say("info"), log: say("log"), debug: say("debug") };

function setLevel(next: number): void {
  level = next;
  if (consola) consola.level = next;
}

/** `--quiet`: only errors. */
export function quietLogs(): void {
  setLevel(0);
}

/** `--background`: nothing at all, errors included (they go to the state log instead). */
export function silentLogs(): void {
  setLevel(-999);
}
