import { existsSync } from "node:fs";
import { z } from "zod";
import { EXIT, IclaudeError } from "./errors.ts";
import { MAX_FILE_BYTES } from "./store/read-file.ts";
import { spliceObject, SpliceError } from "./splice.ts";

/**
 * Claude Code's credential format. Loose objects: every key iclaude does not
 * use (mcpOAuth, rateLimitTier, keys of future versions) survives a rewrite.
 */
const OAuthSchema = z.looseObject({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullish(),
  expiresAt: z.number().finite().nullish(),
  refreshTokenExpiresAt: z.number().finite().nullish(),
  scopes: z.array(z.string()).default([]),
  subscriptionType: z.string().nullish(),
});

const FileSchema = z.looseObject({ claudeAiOauth: OAuthSchema.optional() });

export type OAuthCredential = z.infer<typeof OAuthSchema>;
export type CredentialsFile = z.infer<typeof FileSchema>;

/** A token pair returned by the refresh grant, ready to be merged into the file. */
export interface NewTokens {
  /** Null keeps the current access token (the answer's was unusable). */
  accessToken: string | null;
  refreshToken: string;
  expiresAt: number;
  scopes: string[];
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
  const parsed = FileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
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
  const current = file.claudeAiOauth;
  if (!current) throw new IclaudeError("There is no Claude login to update.", EXIT.missing);
  return {
    ...file,
    claudeAiOauth: {
      ...current,
      accessToken: tokens.accessToken ?? current.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      scopes: tokens.scopes,
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
export function serializeCredentials(next: CredentialsFile, previous: { bytes: Uint8Array | null; file: CredentialsFile | null }): Buffer {
  const oauth = next.claudeAiOauth;
  if (!oauth?.accessToken || !oauth.refreshToken || typeof oauth.expiresAt !== "number") {
    throw new IclaudeError("Refusing to write an incomplete credential; nothing was changed.", EXIT.refreshFailed);
  }
  let bytes: Buffer;
  try {
    bytes = previous.bytes && previous.file?.claudeAiOauth
      ? spliceObject(previous.bytes, "claudeAiOauth", previous.file.claudeAiOauth, oauth)
      : Buffer.from(JSON.stringify(next), "utf8");
    const written = FileSchema.safeParse(JSON.parse(bytes.toString("utf8"))).data?.claudeAiOauth;
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
    throw new IclaudeError("The new credentials would be larger than 1 MiB, which Claude Code refuses to read; nothing was sent and the login is unchanged.", EXIT.refreshFailed);
  }
  return bytes;
}
