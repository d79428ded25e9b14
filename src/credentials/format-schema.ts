import * as z from "zod/mini";
import { issuesOf } from "../base/schema.ts";
import { isEndedLogin } from "./ended-login.ts";

/**
 * Claude Code's credential format. Loose objects: every key iclaude does not
 * use (mcpOAuth, rateLimitTier, keys of future versions) survives a rewrite.
 * Loaded by format.ts when a credential is first validated.
 */
const OAuthSchema = z
  .looseObject({
    accessToken: z.string(),
    refreshToken: z.nullish(z.string()),
    expiresAt: z.nullish(z.number()),
    refreshTokenExpiresAt: z.nullish(z.number()),
    scopes: z._default(z.array(z.string()), []),
    subscriptionType: z.nullish(z.string()),
    clientId: z.nullish(z.string().check(z.minLength(1))),
    loginEnded: z.nullish(z.string()),
  })
  .check(
    z.superRefine((value, context) => {
      if (isEndedLogin(value)) return;
      for (const key of ["accessToken", "refreshToken"] as const) {
        if (value[key] === "") context.addIssue({ code: "custom", path: [key], message: "it is empty" });
      }
    }),
  );

export const FileSchema = z.looseObject({ claudeAiOauth: z.optional(OAuthSchema) });

export type OAuthCredential = z.infer<typeof OAuthSchema>;
export type CredentialsFile = z.infer<typeof FileSchema>;

export const firstIssue = (data: unknown): z.core.$ZodIssue | undefined => issuesOf(FileSchema, data)[0];
