import * as z from "zod/mini";
import { closest } from "./did-you-mean.ts";
import { issuesOf } from "./schema.ts";

/* config.toml; loaded by config.ts only when there is one. */

const duration = z.union([z.string(), z.int().check(z.nonnegative())]);

const fileSchema = z.strictObject({
  threshold: z.optional(duration),
  refresh_margin: z.optional(duration),
  cooldown: z.optional(duration),
  token_url: z.optional(z.string()),
  client_id: z.optional(z.string()),
  store: z.optional(z.enum(["auto", "file", "keychain"])),
  claude_bin: z.optional(z.string().check(z.minLength(1))),
  notify: z.optional(z.strictObject({ command: z.optional(z.string().check(z.minLength(1))) })),
  guard: z.optional(
    z.strictObject({
      allow: z.optional(z.array(z.string())),
      protected_paths: z.optional(z.array(z.string())),
      strict_for_humans: z.optional(z.boolean()),
    }),
  ),
});
export type FileConfig = z.infer<typeof fileSchema>;

/** `unknown key "treshold" (did you mean "threshold"?)`, for the keys of the table the typo is in. */
function unknownKeys(keys: string[], path: PropertyKey[]): string {
  const table =
    path[0] === "guard" ? fileSchema.shape.guard.def.innerType.shape : path[0] === "notify" ? fileSchema.shape.notify.def.innerType.shape : fileSchema.shape;
  const known = Object.keys(table);
  const prefix = path.length ? `${path.join(".")}.` : "";
  return keys
    .map((key) => {
      const near = closest(key, known);
      return `unknown key "${prefix}${key}"${near ? ` (did you mean "${prefix}${near}"?)` : ""}`;
    })
    .join(", ");
}

/** The file's values, or what is wrong with them in words (`unknown key …`, `"cooldown": …`). */
export function problemWith(data: unknown): { ok: true; value: FileConfig } | { ok: false; what: string } {
  const parsed = fileSchema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = issuesOf(fileSchema, data)[0];
  const key = issue?.path.join(".") || (issue && "keys" in issue ? issue.keys.join(", ") : "");
  return { ok: false, what: issue?.code === "unrecognized_keys" ? unknownKeys(issue.keys, issue.path) : `"${key}": ${issue?.message}` };
}
