/**
 * Exit codes of the external contract. Commands return them; the capabilities throw
 * IclaudeError carrying one, and src/cli/main.ts is the one place that turns an
 * error into words and an exit code.
 */
export const EXIT = {
  ok: 0,
  blocked: 1,
  usage: 2,
  refreshDue: 10,
  loginExpiring: 11,
  expired: 12,
  missing: 13,
  invalid: 14,
  loginRequired: 20,
  refreshFailed: 21,
  cooldown: 22,
  lockTimeout: 23,
  /** Broker client: nothing answers on the socket (absent, stale, closed without answering, silent). */
  brokerGone: 30,
  /** Broker client: the broker (or the socket's permissions) refused this caller or request. */
  brokerRefused: 31,
  /** `broker serve`: the socket cannot be served (another live broker holds it, or its dir is not private). */
  brokerSocket: 32,
  /** An unexpected failure: a bug in iclaude (EX_SOFTWARE). */
  bug: 70,
  /** stdout cannot be written: a full disk, an I/O error (EX_IOERR). A reader that went away is no failure. */
  cannotWrite: 74,
  /** The claude found cannot be started, as a shell says of a file it cannot execute. */
  cannotRunClaude: 126,
  /** No real claude to run: the shell's "command not found". */
  noClaude: 127,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What a person does when no refresh can help; shared by errors, warnings and `status`. */
export const LOGIN_HINT = "log in again with `claude /login`, or run `iclaude refresh` at a terminal to create a long-lived token";

/** The hint once the long-lived token was declined today: `iclaude refresh` would not offer it again until tomorrow. */
export const LOGIN_HINT_DECLINED = "log in again with `claude /login` (iclaude offers a long-lived token again tomorrow)";

/** An expected failure: `message` is the one sentence the user sees (what happened, what to do). */
export class IclaudeError extends Error {
  override readonly name = "IclaudeError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What an error says, whatever was thrown. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An error as a value with an exit code: running out of file descriptors is said as such, wherever it struck; an unexpected one is named a bug in iclaude. */
export function asIclaudeError(error: unknown): IclaudeError {
  if (isOutOfFiles(error)) return outOfFiles(error);
  if (error instanceof IclaudeError) return error;
  return new IclaudeError(`unexpected failure (${messageOf(error)}); this is a bug in iclaude.`, EXIT.bug, {
    cause: error,
  });
}

/** The errno code of a Node/Bun system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}

/** A short human reason for a file-system error, for sentences like "cannot read X: <reason>". */
export function describeFsError(error: unknown): string {
  switch (errnoCode(error)) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "the disk quota is exhausted";
    case "ENOENT":
      return "it does not exist";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "EMFILE":
      return "too many open files (EMFILE: this process is at its open-file limit, `ulimit -n`)";
    case "ENFILE":
      return "too many open files (ENFILE: the system's open-file table is full)";
    default:
      return messageOf(error);
  }
}

/** The EMFILE or ENFILE error in `error`'s chain of causes: no file descriptor was left, nothing is wrong with what was opened. */
function outOfFilesCause(error: unknown): unknown {
  for (let e = error; e; e = e instanceof Error ? e.cause : undefined) {
    const code = errnoCode(e);
    if (code === "EMFILE" || code === "ENFILE") return e;
  }
  return null;
}

export const isOutOfFiles = (error: unknown): boolean => outOfFilesCause(error) !== null;

/** The one sentence for a run that ran out of file descriptors: a failure that passes, never a reason to log in again. */
export function outOfFiles(error: unknown): IclaudeError {
  return new IclaudeError(
    `iclaude ran out of file descriptors: ${describeFsError(outOfFilesCause(error) ?? error)}; nothing was changed — close some programs or raise the open-file limit, then try again.`,
    EXIT.refreshFailed,
    { cause: error },
  );
}
