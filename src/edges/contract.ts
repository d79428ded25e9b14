/**
 * What iclaude hands to other processes, defined once. The shells, the OS timers, the git hook and the
 * broker's service run iclaude and read the files it writes; each renders its template from here
 * (`fillContract`), and the binary reads those files by the same numbers. A second spelling of any of
 * these elsewhere is a bug.
 */

/** `iclaude refresh --background --all`, the run a prompt, a timer and an agent's commit start: quiet, every profile, one line to the state log. */
export const REFRESH_ARGS = ["refresh", "--background", "--all"] as const;

/** `next-check` in the state dir: one line, the Unix time in seconds when to look again. */
export const NEXT_CHECK = {
  file: "next-check",
  /** What a reader takes of it: a file of any size costs a prompt one small read. */
  readChars: 24,
  /** The most digits a time may have; a longer line was not written by iclaude. */
  maxDigits: 12,
  /** A time further ahead than this was not written by iclaude: it is due now. */
  maxAheadS: 86_400,
  /** However far ahead it says, a shell looks again within this: a new login is noticed within the hour. */
  capS: 3_600,
} as const;

/** `notice` in the state dir: the sentence a shell prints; `notice-shown` stamps when, so it is said once a day. */
export const NOTICE = { file: "notice", shownFile: "notice-shown", everyS: 86_400 } as const;

/**
 * The state log's line for one profile of a refresh run: `refresh (<scheduler>) <dir>: <what happened>`,
 * the scheduler named when an OS timer started the run (ICLAUDE_SCHEDULER). The log writes each after
 * its ISO time; `iclaude schedule` and `check` read a scheduler's last run back with readRunLogLine.
 */
export const runLogLine = (scheduler: string | null | undefined, dir: string, what: string): string =>
  `refresh${scheduler ? ` (${scheduler})` : ""} ${dir}: ${what}`;

const RUN_LOG_LINE = /^(\S+) refresh \(([a-z]+)\) (.*)$/;

/** A state-log line that runLogLine wrote for a scheduler's run: its time, the scheduler, and `<dir>: <what happened>`. */
export function readRunLogLine(line: string): { at: string; scheduler: string; text: string } | null {
  const [, at, scheduler, text] = RUN_LOG_LINE.exec(line) ?? [];
  return at && scheduler && text !== undefined ? { at, scheduler, text } : null;
}

const VALUES: Record<string, string> = {
  "@REFRESH_ARGS@": REFRESH_ARGS.join(" "),
  "@NEXT_CHECK_READ_CHARS@": String(NEXT_CHECK.readChars),
  "@NEXT_CHECK_MAX_DIGITS@": String(NEXT_CHECK.maxDigits),
  "@NEXT_CHECK_MAX_AHEAD_S@": String(NEXT_CHECK.maxAheadS),
  "@NEXT_CHECK_CAP_S@": String(NEXT_CHECK.capS),
  "@NOTICE_EVERY_S@": String(NOTICE.everyS),
};

/** A template with the contract's placeholders filled; every word is a bare word in any shell or unit file. */
export const fillContract = (template: string): string => template.replace(/@[A-Z_]+@/g, (name) => VALUES[name] ?? name);
