/**
 * A module loaded on its first use, synchronously: what only a validation needs (zod, a schema
 * module) stays out of a run that validates nothing. A passing commit hook would otherwise pay
 * about 3 ms for zod. `load` is `() => require("./x-schema.ts")`, typed as that module.
 */
export function onFirstUse<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/**
 * The non-empty strings at these paths of a JSON text, with nothing validated: what the guard
 * looks for in a file that may be damaged or of an unknown version, without loading a schema.
 */
export function stringsAt(text: string | null, paths: readonly (readonly string[])[]): string[] {
  if (text === null) return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  return paths.flatMap((path) => {
    let value = data;
    for (const key of path) value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    return typeof value === "string" && value !== "" ? [value] : [];
  });
}
