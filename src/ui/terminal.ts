import { quiet } from "./out.ts";

/**
 * The person's terminal, as the setup-token fallback and the offers use it. The engine is handed
 * one (never reaching for process.stdin itself), so only the commands decide who is asked.
 */
export interface Terminal {
  write(data: string | Uint8Array): void;
  size(): { cols: number; rows: number };
  /** One line, in cooked mode; null at end of input (Ctrl-D). */
  readLine(): Promise<string | null>;
  /** Raw keystrokes to `onKey` and window changes to `onResize`, until the returned function is called. */
  relay(onKey: (chunk: Buffer | string) => void, onResize: () => void): () => void;
}

function readLine(): Promise<string | null> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    const done = (value: string | null) => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => done(String(chunk).split("\n")[0] ?? "");
    const onEnd = () => done(null);
    stdin.on("data", onData);
    stdin.on("end", onEnd);
    stdin.resume();
  });
}

function relay(onKey: (chunk: Buffer | string) => void, onResize: () => void): () => void {
  const stdin = process.stdin;
  stdin.setRawMode?.(true);
  stdin.on("data", onKey);
  stdin.resume();
  process.on("SIGWINCH", onResize);
  return () => {
    process.off("SIGWINCH", onResize);
    stdin.off("data", onKey);
    stdin.setRawMode?.(false);
    stdin.pause();
  };
}

/** iclaude's own stdin and stdout. */
export const processTerminal: Terminal = {
  write: (data) => void quiet(process.stdout).write(data),
  size: () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 }),
  readLine,
  relay,
};

/** A yes/no question; an empty answer is `defaultYes`, so a question that starts something big defaults to no. */
export async function confirm(terminal: Terminal, question: string, defaultYes: boolean): Promise<boolean> {
  terminal.write(`${question} `);
  const answer = await terminal.readLine();
  if (answer === null) return false;
  return /^\s*$/.test(answer) ? defaultYes : /^\s*(y|yes)\s*$/i.test(answer);
}
