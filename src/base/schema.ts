import * as z from "zod/mini";

/*
 * What every schema module shares. The schemas a commit, a prompt or a launch can meet use
 * zod/mini (classic zod takes about 4 ms to load in the compiled binary, mini well under one),
 * each in a `*-schema.ts` module loaded only when something is validated (onFirstUse). Only ever
 * `z.member` in them: passing the namespace itself around keeps all of zod and its 40 locales in
 * the binary, which makes every run start later.
 */

/** Mini carries no words for its issues: English is loaded only when a failure has to be told to a person. */
export function issuesOf(schema: z.ZodMiniType, data: unknown): z.core.$ZodIssue[] {
  z.config(z.locales.en());
  return schema.safeParse(data).error?.issues ?? [];
}
