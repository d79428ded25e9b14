/** An environment as process.env holds it; passed in so tests and profiles can give their own. */
export type Env = Record<string, string | undefined>;
