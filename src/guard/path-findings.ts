import { tokenHits } from "./rules/index.ts";
import { NEVER_PROTECTED } from "./rules/paths.ts";
import type { Finding } from "./scan.ts";

/**
 * gitignore's reading of a pattern, which users already know: without a slash
 * it matches a name at any depth, with one the path from the root; a trailing
 * slash means everything under that directory. Case is ignored (see rules/paths.ts).
 */
function pathMatcher(pattern: string): (path: string) => boolean {
  const core = pattern.toLowerCase().replace(/^\//, "").replace(/\/$/, "");
  const anchored = pattern.startsWith("/") || core.includes("/");
  const glob = new Bun.Glob(`${anchored ? "" : "**/"}${core}${pattern.endsWith("/") ? "/**" : ""}`);
  return (path) => glob.match(path.toLowerCase());
}

/**
 * Staged paths an agent may not commit; templates, public keys, documentation and source code never
 * count, nor a file of public PEM blocks only (`certs/ca-bundle.pem`), which `publicOnly` tells.
 */
export async function protectedPathFindings(
  paths: readonly string[],
  patterns: readonly string[],
  allow: readonly RegExp[],
  publicOnly: (path: string) => Promise<boolean> = async () => false,
): Promise<Finding[]> {
  const matchers = patterns.map((p) => [p, pathMatcher(p)] as const);
  const findings = await Promise.all(
    paths.map(async (path): Promise<Finding[]> => {
      const hit = NEVER_PROTECTED.test(path) ? undefined : matchers.find(([, match]) => match(path));
      if (!hit || allow.some((re) => re.test(path)) || (await publicOnly(path))) return [];
      return [{ id: "protected-path", label: `protected path (${hit[0]})`, shown: "", allowable: true, source: "path", path, line: null }];
    }),
  );
  return findings.flat();
}

/** A token used as a file or directory name: the diff's headers are never scanned, so the paths are, here. */
export function pathTokenFindings(paths: readonly string[], ownTokens: readonly string[], allow: readonly RegExp[]): Finding[] {
  return paths.flatMap((path) =>
    tokenHits(path, ownTokens)
      .filter((hit) => !hit.allowable || !allow.some((re) => re.test(path)))
      .map((hit) => ({ ...hit, label: `${hit.label} in the file name`, source: "path" as const, path, line: null })),
  );
}
