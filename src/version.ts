import pkg from "../package.json" with { type: "json" };

export const VERSION: string = typeof ICLAUDE_VERSION === "string" ? ICLAUDE_VERSION : pkg.version;
