import * as z from "zod/mini";
import { LONG_LIVED_TOKEN } from "../../base/secrets.ts";

/* iclaude's own stored records; loaded by long-lived.ts and rescue.ts when one is first validated. */

/** The token `claude setup-token` printed: kept by iclaude, never in Claude Code's credentials. */
export const LongLivedSchema = z.object({
  token: z.string().check(z.regex(LONG_LIVED_TOKEN)),
  expiresAt: z.number(),
  createdAt: z.number(),
});
export type LongLivedToken = z.infer<typeof LongLivedSchema>;

/** A pair a write that failed after the send left in the state dir (see rescue.ts). */
export const RescueSchema = z.object({
  /** Fingerprint of the refresh token that was spent for this pair. */
  spent: z.string(),
  location: z.string(),
  accessToken: z.nullable(z.string().check(z.minLength(1))),
  refreshToken: z.string().check(z.minLength(1)),
  expiresAt: z.number(),
  scopes: z.array(z.string()),
  /** now + the answer's `refresh_token_expires_in`, when it carried one. */
  refreshTokenExpiresAt: z.optional(z.number()),
});
