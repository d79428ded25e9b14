/** Replaced at compile time by scripts/build.ts. */
declare const ICLAUDE_VERSION: string | undefined;
