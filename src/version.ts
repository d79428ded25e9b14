import pkg from "../package.json" with { type: "json" };

/** The Claude Code versions the suite drives: the dev dependency and the oldest supported, installed beside it under an alias. */
export function testedClaudeVersions(devDependencies: Record<string, string>): string[] {
  return Object.entries(devDependencies)
    .filter(([name, spec]) => name === "@anthropic-ai/claude-code" || spec.startsWith("npm:@anthropic-ai/claude-code@"))
    .map(([, spec]) => spec.replace(/^npm:@anthropic-ai\/claude-code@/, ""))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export const VERSION: string = typeof ICLAUDE_VERSION === "string" ? ICLAUDE_VERSION : pkg.version;
export const TESTED_WITH: string[] = typeof ICLAUDE_TESTED_WITH === "object" ? ICLAUDE_TESTED_WITH : testedClaudeVersions(pkg.devDependencies);

/** What `iclaude --version` prints: the version on the first line, as tools read it, then what it was tested with. */
export const versionText = (): string => `iclaude ${VERSION}\ntested with Claude Code ${TESTED_WITH.join(" and ")}\n`;
