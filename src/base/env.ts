/** An environment as process.env holds it; passed in so tests and profiles can give their own. */
export type Env = Record<string, string | undefined>;

/** The user's home: HOME, else the passwd entry (node:os is loaded only then; it costs a run about 0.3 ms). */
export const homeOf = (env: Env = process.env): string => env.HOME || (require("node:os") as typeof import("node:os")).homedir();
