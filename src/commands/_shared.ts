import type { ArgsDef } from "citty";

/** Argument fragments shared by commands; each names the environment variable it overrides. */
export const outputArgs = {
  json: { type: "boolean", description: "Print one JSON object on stdout instead of a sentence" },
  quiet: { type: "boolean", alias: "q", description: "Print nothing; only the exit code tells" },
} as const satisfies ArgsDef;

export const clockArgs = {
  threshold: {
    type: "string",
    valueHint: "7d",
    description: "Warn when the login ends within this (env ICLAUDE_THRESHOLD)",
  },
  "refresh-margin": {
    type: "string",
    valueHint: "1h",
    description: "Refresh when the access token has less than this left (env ICLAUDE_REFRESH_MARGIN)",
  },
} as const satisfies ArgsDef;

/** Prints a result object as one line of JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
