import { existsSync } from "node:fs";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { MAX_FILE_BYTES } from "../base/fs.ts";
import { onFirstUse, stringsAt } from "../base/lazy.ts";
import type { CredentialsFile } from "./format-schema.ts";
import { SpliceError, spliceObject } from "./splice.ts";

export { isEndedLogin } from "./ended-login.ts";

export type { CredentialsFile, OAuthCredential } from "./format-schema.ts";

/** Loaded when a credential is first validated. */
const schema = onFirstUse((): typeof import("./format-schema.ts") => require("./format-schema.ts"));

/** The tokens a credentials text holds, unvalidated (see stringsAt). */
export const tokensIn = (text: string | null): string[] =>
  stringsAt(text, [
    ["claudeAiOauth", "accessToken"],
    ["claudeAiOauth", "refreshToken"],
  ]);

/** A token pair returned by the refresh grant, ready to be merged into the file. */
export interface NewTokens {
  /** Null keeps the current access token (the answer's was unusable). */
  accessToken: string | null;
  refreshToken: string;
  expiresAt: number;
  scopes: string[];
  /** now + the answer's `refresh_token_expires_in`, when it carried one. */
  refreshTokenExpiresAt?: number;
}

/**
 * As Claude Code keeps it on a refresh: the earlier of the stored end and the answer's; a stored
 * login without one keeps none, and an answer without one keeps the stored end.
 */
function keptLoginEnd(stored: number | null | undefined, answered: number | undefined): number | undefined {
  if (typeof stored !== "number") return undefined;
  return answered === undefined ? stored : Math.min(stored, answered);
}

/** Where a JSON.parse error happened, as "line L, column C" when the engine tells the offset. */
function jsonErrorPlace(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const offset = /position (\d+)/.exec(message)?.[1];
  if (offset === undefined) return text.trim() === "" ? "it is empty" : "it ends early or has a syntax error";
  const before = text.slice(0, Number(offset));
  const line = before.split("\n").length;
  const column = Number(offset) - before.lastIndexOf("\n");
  return `syntax error at line ${line}, column ${column}`;
}

/** Parses the file's text; `where` names the file or Keychain item in the error. */
export function parseCredentials(text: string, where: string): CredentialsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // The backup is offered only where there is one (never for a Keychain item).
    const restore = existsSync(`${where}.bak`) ? `restore it from ${where}.bak or ` : "";
    throw new IclaudeError(`${where} is not valid JSON (${jsonErrorPlace(text, error)}); ${restore}log in again with \`claude /login\`.`, EXIT.invalid);
  }
  const parsed = schema().FileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = schema().firstIssue(data);
    const field = issue?.path.length ? issue.path.join(".") : "the top level";
    throw new IclaudeError(
      `${where} is not in Claude Code's format (${field}: ${issue?.message ?? "unexpected value"}); log in again with \`claude /login\`.`,
      EXIT.invalid,
    );
  }
  return parsed.data;
}

/** The file with a new token pair, every other key kept as it was. */
export function withNewTokens(file: CredentialsFile, tokens: NewTokens): CredentialsFile {
  const stored = file.claudeAiOauth;
  if (!stored) throw new IclaudeError("There is no Claude login to update.", EXIT.missing);
  // A new pair is a live login again: Claude Code's mark of an ended one does not carry over.
  const current = { ...stored };
  delete current.loginEnded;
  return {
    ...file,
    claudeAiOauth: {
      ...current,
      accessToken: tokens.accessToken ?? current.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      scopes: tokens.scopes,
      ...(typeof current.refreshTokenExpiresAt === "number"
        ? { refreshTokenExpiresAt: keptLoginEnd(current.refreshTokenExpiresAt, tokens.refreshTokenExpiresAt) }
        : {}),
    },
  };
}

/**
 * The new content: `previous`'s bytes with only the changed members of
 * `claudeAiOauth` rewritten, so every key iclaude does not use keeps its bytes.
 * Refuses anything that is not a complete, usable credential, that could not
 * be written without changing what it does not understand, or that would
 * grow past 1 MiB; called before the send with a stand-in pair, it proves the
 * real write. Where nothing was stored yet, the credential is serialised alone.
 */
export function serializeCredentials(next: CredentialsFile, previous: { bytes: Uint8Array | null; parsed: CredentialsFile | null }): Buffer {
  const oauth = next.claudeAiOauth;
  if (!oauth?.accessToken || !oauth.refreshToken || typeof oauth.expiresAt !== "number") {
    throw new IclaudeError("Refusing to write an incomplete credential; nothing was changed.", EXIT.refreshFailed);
  }
  let bytes: Buffer;
  try {
    bytes =
      previous.bytes && previous.parsed?.claudeAiOauth
        ? spliceObject(previous.bytes, "claudeAiOauth", previous.parsed.claudeAiOauth, oauth)
        : Buffer.from(JSON.stringify(next), "utf8");
    const written = schema().FileSchema.safeParse(JSON.parse(bytes.toString("utf8"))).data?.claudeAiOauth;
    if (written?.accessToken !== oauth.accessToken || written.refreshToken !== oauth.refreshToken || written.expiresAt !== oauth.expiresAt) {
      throw new SpliceError("the rewritten file does not read back as the new pair");
    }
  } catch (error) {
    const reason = error instanceof SpliceError || error instanceof RangeError ? error.message : String(error);
    throw new IclaudeError(
      `The credentials cannot be rewritten without changing parts iclaude does not understand (${reason}); nothing was sent and the login is unchanged — log in again with \`claude /login\`.`,
      EXIT.refreshFailed,
    );
  }
  if (bytes.length > MAX_FILE_BYTES) {
    throw new IclaudeError(
      "The new credentials would be larger than 1 MiB, which Claude Code refuses to read; nothing was sent and the login is unchanged.",
      EXIT.refreshFailed,
    );
  }
  return bytes;
}
