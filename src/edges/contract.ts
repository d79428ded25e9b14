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

/** A person is told or asked the same thing at most once in this: a notice, the setup-token offer, a declined offer. */
export const ONCE_A_DAY_S = 86_400;

/** `notice` in the state dir: the sentence a shell prints; `notice-shown` stamps when, so it is said once a day. */
export const NOTICE = { file: "notice", shownFile: "notice-shown", everyS: ONCE_A_DAY_S } as const;

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
