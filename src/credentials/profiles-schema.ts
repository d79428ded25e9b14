import * as z from "zod/mini";

/* profiles.json; loaded by profiles.ts only when there is one. */

export const ProfilesFile = z.strictObject({ version: z.literal(1), dirs: z.array(z.string().check(z.startsWith("/"))) });
