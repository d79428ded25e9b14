import * as z from "zod/mini";
import type { Assessment } from "../credentials/assessment.ts";

/**
 * The broker's wire format: one JSON object per line each way, versioned by `v`.
 * A request `{"v":1,"op":"token","profile"?:DIR}` gets one answer line.
 */
export const PROTOCOL_VERSION = 1;
/** A request longer than this is no request of ours: the connection is closed. */
export const MAX_LINE_BYTES = 4096;

export const TokenRequest = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  op: z.literal("token"),
  profile: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

/**
 * What a box may learn about a login. `refreshToken?: never` makes adding one
 * a type error, and the client's strict schema rejects an answer that has one.
 */
export interface TokenAnswer {
  v: typeof PROTOCOL_VERSION;
  ok: true;
  profile: string;
  accessToken: string;
  expiresAt: number | null;
  scopes: string[];
  subscriptionType: string | null;
  refreshToken?: never;
}

export type ErrorCode = "bad-request" | "not-allowed" | "unknown-profile" | "no-token";

export interface ErrorAnswer {
  v: typeof PROTOCOL_VERSION;
  ok: false;
  code: ErrorCode;
  /** The exit code a client exits with: refresh's own (20–23), or 31 for a refusal. */
  exitCode: number;
  error: string;
}

export type Answer = TokenAnswer | ErrorAnswer;

const AnswerSchema = z.discriminatedUnion("ok", [
  z.strictObject({
    v: z.literal(PROTOCOL_VERSION),
    ok: z.literal(true),
    profile: z.string(),
    accessToken: z.string().check(z.minLength(1)),
    expiresAt: z.nullable(z.number()),
    scopes: z.array(z.string()),
    subscriptionType: z.nullable(z.string()),
  }),
  z.strictObject({
    v: z.literal(PROTOCOL_VERSION),
    ok: z.literal(false),
    code: z.enum(["bad-request", "not-allowed", "unknown-profile", "no-token"]),
    exitCode: z.int(),
    error: z.string(),
  }),
]);

/** The answer for a usable token, picked field by field from the verdict: nothing else can travel. */
export function tokenAnswer(profile: string, a: Assessment & { accessToken: string }): TokenAnswer {
  return { v: PROTOCOL_VERSION, ok: true, profile, accessToken: a.accessToken, expiresAt: a.expiresAt, scopes: a.scopes, subscriptionType: a.subscriptionType };
}

export const errorAnswer = (code: ErrorCode, exitCode: number, error: string): ErrorAnswer => ({ v: PROTOCOL_VERSION, ok: false, code, exitCode, error });

export const encode = (message: TokenRequest | Answer): string => `${JSON.stringify(message)}\n`;

/** One line parsed against a schema; null when it is not JSON of that shape. */
function parseLine<T>(schema: z.ZodMiniType<T>, line: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A client's line; null when it is not a request of this version. */
export const parseRequest = (line: string): TokenRequest | null => parseLine(TokenRequest, line);

/** The broker's answer line; null when it is not an answer of this version. */
export const parseAnswer = (line: string): Answer | null => parseLine<Answer>(AnswerSchema, line);
