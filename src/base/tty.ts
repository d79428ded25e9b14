/** Bun's own answer to isatty(3), as node:tty gives it; typed here because Bun's types leave process.binding out. */
interface TtyWrap {
  isTTY(fd: number): boolean;
}

let ttyWrap: TtyWrap | null | undefined;

/**
 * Whether `fd` is a terminal. Loading node:tty for its isatty costs every launch about 4 ms (it
 * brings node:net and the stream classes along); Bun's tty_wrap binding, which node:tty itself
 * calls, answers at once. Where the binding is missing, node:tty is loaded after all.
 */
export function isTerminal(fd: number): boolean {
  if (ttyWrap === undefined) {
    try {
      ttyWrap = (process as unknown as { binding(name: string): TtyWrap }).binding("tty_wrap");
      if (typeof ttyWrap?.isTTY !== "function") ttyWrap = null;
    } catch {
      ttyWrap = null;
    }
  }
  return ttyWrap ? ttyWrap.isTTY(fd) : (require("node:tty") as typeof import("node:tty")).isatty(fd);
}
