import * as z from "zod/mini";

/**
 * The hook path's schemas use zod/mini: in the compiled binary classic zod takes about 4 ms to
 * load and mini about 0.6 ms, which every git commit paid. Mini carries no words for its issues;
 * English is loaded only when a failure has to be told to a person.
 */
export function issuesOf(schema: z.ZodMiniType, data: unknown): z.core.$ZodIssue[] {
  z.config(z.locales.en());
  return schema.safeParse(data).error?.issues ?? [];
}
