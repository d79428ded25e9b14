import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ROOT } from "./helpers.ts";

/*
 * The folder rules of ARCHITECTURE.md, read off the source: every import
 * (static, `import type`, and lazy `import()` or `require()`) is resolved to the file it names.
 */

const SRC = join(ROOT, "src");

interface Import {
  /** Repo-relative path of the imported file, e.g. `src/refresh/engine.ts`. */
  target: string;
  typeOnly: boolean;
  /** `import()` or `require()`: loaded when the code that names it runs, not with the file. */
  lazy: boolean;
}

interface SourceFile {
  path: string;
  text: string;
  imports: Import[];
  /** Packages and node: modules imported or re-exported statically (not `import type`): loaded with the file. */
  packages: string[];
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+"(\.[^"]+)"|(?:import|require)\(\s*"(\.[^"]+)"\s*\)|(?:^|\n)\s*import\s+"(\.[^"]+)"/g;
/** A package a module loads as it loads: `import … from "p"`, `export … from "p"`, or a bare `import "p"`. */
const PACKAGE = /(?:^|\n)\s*(?:(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+|import\s+)"([^".][^"]*)"/g;

function importsOf(path: string, text: string): Import[] {
  const found: Import[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[3] ?? match[4] ?? match[5];
    if (!spec) continue;
    const target = relative(ROOT, resolve(dirname(join(ROOT, path)), spec));
    found.push({ target, typeOnly: match[2] !== undefined, lazy: match[4] !== undefined });
  }
  return found;
}

function sources(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => {
      const path = relative(ROOT, join(entry.parentPath, entry.name));
      const text = readFileSync(join(ROOT, path), "utf8");
      return { path, text, imports: importsOf(path, text), packages: [...text.matchAll(PACKAGE)].map((m) => m[1] as string) };
    });
}

const FILES = sources(SRC);
const BY_PATH = new Map(FILES.map((f) => [f.path, f]));
/** The files loaded with `entries`: their static imports, and with `lazy` what they load later too; type imports carry no code. */
function loadedWith(entries: string[], lazy: boolean): Set<string> {
  const loaded = new Set<string>();
  const visit = (path: string): void => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const i of BY_PATH.get(path)?.imports ?? []) if (!i.typeOnly && (lazy || !i.lazy)) visit(i.target);
  };
  entries.forEach(visit);
  return loaded;
}
const inFolder = (path: string, folder: string): boolean => path.startsWith(`src/${folder}/`);
/** Lines of a file that break a rule, as `path:line  text`, for a failure that says where. */
const offending = (file: SourceFile, pattern: RegExp): string[] =>
  file.text
    .split("\n")
    .map((line, n) => ({ line, n }))
    .filter(({ line }) => pattern.test(line) && !/^\s*(\/\*|\*|\/\/)/.test(line))
    .map(({ line, n }) => `${file.path}:${n + 1}  ${line.trim()}`);

describe("the folder rules", () => {
  test("reads the imports of every source file", () => {
    expect(FILES.length).toBeGreaterThan(50);
    const engineUsers = FILES.filter((f) => f.imports.some((i) => i.target === "src/refresh/engine.ts"));
    expect(engineUsers.map((f) => f.path)).toContain("src/broker/server.ts");
  });

  test("only ui/, commands/ and cli/main.ts print, read the terminal or exit", () => {
    const TERMINAL = /process\.(stdout|stderr|stdin)\b|Bun\.(stdout|stderr|stdin)\b|console\.|process\.exit\b/;
    const mayPrint = (path: string) => inFolder(path, "ui") || inFolder(path, "commands") || path === "src/cli/main.ts";
    expect(FILES.filter((f) => !mayPrint(f.path)).flatMap((f) => offending(f, TERMINAL))).toEqual([]);
  });

  test("process.stdout, a stream Bun builds at a cost of milliseconds, is only the terminal's; process.stderr only the log's", () => {
    const mayTouch: Record<string, RegExp> = { "src/ui/terminal.ts": /process\.stderr\b/, "src/ui/log.ts": /process\.stdout\b/ };
    const STREAMS = /process\.(stdout|stderr)\b/;
    expect(FILES.flatMap((f) => offending(f, mayTouch[f.path] ?? STREAMS))).toEqual([]);
  });

  test("no command imports another command", () => {
    // The table (index.ts) loads them all; files starting with `_` are the commands' shared helpers.
    const isCommand = (path: string) => inFolder(path, "commands") && !/\/(_[^/]*|index)\.ts$/.test(path);
    const crossings = FILES.filter((f) => isCommand(f.path)).flatMap((f) =>
      f.imports.filter((i) => isCommand(i.target) && i.target !== f.path).map((i) => `${f.path} → ${i.target}`),
    );
    expect(crossings).toEqual([]);
  });

  test("credentials/ imports nothing from the capabilities built on it", () => {
    const above = ["refresh", "launcher", "guard", "schedule", "broker", "commands", "ui"];
    const crossings = FILES.filter((f) => inFolder(f.path, "credentials")).flatMap((f) =>
      f.imports.filter((i) => above.some((folder) => inFolder(i.target, folder))).map((i) => `${f.path} → ${i.target}`),
    );
    expect(crossings).toEqual([]);
  });

  test("base/ imports only base/, save the defaults config.ts takes from Claude's facts and the guard's rules", () => {
    const defaults = ["src/credentials/claude.ts", "src/guard/rules/paths.ts"];
    const crossings = FILES.filter((f) => inFolder(f.path, "base")).flatMap((f) =>
      f.imports
        .filter((i) => !inFolder(i.target, "base") && !(f.path === "src/base/config.ts" && defaults.includes(i.target)))
        .map((i) => `${f.path} → ${i.target}`),
    );
    expect(crossings).toEqual([]);
  });

  test("broker/ and schedule/ reach credentials only through refresh/engine.ts", () => {
    // A type import carries no code: it cannot become a second way to read or judge credentials.
    // profiles.ts names config dirs and reads no credential.
    const crossings = FILES.filter((f) => inFolder(f.path, "broker") || inFolder(f.path, "schedule")).flatMap((f) =>
      f.imports
        .filter((i) => !i.typeOnly && inFolder(i.target, "credentials") && i.target !== "src/credentials/profiles.ts")
        .map((i) => `${f.path} → ${i.target}`),
    );
    expect(crossings).toEqual([]);
  });

  test("the grant and the credentials write are reached only through engine.ts's refreshIfDue", () => {
    // redeem.ts (the locked part) and save.ts (the write) are engine.ts's own rooms, split off to stay small.
    const codeImporters = (target: string) => FILES.filter((f) => f.imports.some((i) => i.target === target && !i.typeOnly)).map((f) => f.path);
    expect(codeImporters("src/refresh/redeem.ts")).toEqual(["src/refresh/engine.ts"]);
    expect(codeImporters("src/refresh/grant.ts")).toEqual(["src/refresh/redeem.ts"]);
    expect(codeImporters("src/refresh/save.ts")).toEqual(["src/refresh/redeem.ts"]);
    const writers = FILES.filter((f) => !inFolder(f.path, "credentials") && /\.reserveWrite\(/.test(f.text)).map((f) => f.path);
    // box-login.ts writes a box's access-only login (broker sync), through the same store and storage lock.
    expect(writers.sort()).toEqual(["src/refresh/box-login.ts", "src/refresh/redeem.ts", "src/refresh/save.ts"]);
  });

  test("ui/ takes plain data: it imports nothing from commands/ or cli/", () => {
    const crossings = FILES.filter((f) => inFolder(f.path, "ui")).flatMap((f) =>
      f.imports.filter((i) => inFolder(i.target, "commands") || inFolder(i.target, "cli")).map((i) => `${f.path} → ${i.target}`),
    );
    expect(crossings).toEqual([]);
  });

  test("no import cycles, type-only and lazy imports counted", () => {
    const edges = new Map(FILES.map((f) => [f.path, [...new Set(f.imports.map((i) => i.target))].filter((t) => t !== f.path)]));
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (path: string, trail: string[]): void => {
      state.set(path, "open");
      for (const next of edges.get(path) ?? []) {
        if (state.get(next) === "open") cycles.push([...trail.slice(trail.indexOf(next)), path, next].join(" → "));
        else if (!state.has(next) && edges.has(next)) visit(next, [...trail, path]);
      }
      state.set(path, "done");
    };
    for (const path of edges.keys()) if (!state.has(path)) visit(path, []);
    expect(cycles).toEqual([]);
  });

  test("the Claude token shape is written in one file", () => {
    const SHAPE = /\/[^/\n]*sk-ant-[^/\n]*\/[dgimsuy]*|RegExp\([^)]*sk-ant-/;
    const writers = FILES.filter((f) => offending(f, SHAPE).length > 0).map((f) => f.path);
    expect(writers).toEqual(["src/base/secrets.ts"]);
  });

  test("what a passing commit hook loads holds no zod, citty, node:crypto or node:util", () => {
    // Each costs the hook about 1 to 4 ms; they are loaded lazily, where something is validated, parsed or hashed.
    const hookPath = [
      "src/cli/main.ts",
      "src/cli/tree.ts",
      "src/commands/hooks/index.ts",
      "src/guard/git.ts",
      "src/base/config.ts",
      "src/credentials/assessment.ts",
      "src/refresh/check-due.ts",
    ];
    const loaded = loadedWith(hookPath, false);
    const costly = /^(zod(\/.*)?|citty|node:crypto|node:util)$/;
    const found = [...loaded].flatMap((path) => (BY_PATH.get(path)?.packages ?? []).filter((p) => costly.test(p)).map((p) => `${path} → ${p}`));
    expect(loaded.size).toBeGreaterThan(30);
    expect(found).toEqual([]);
  });

  test("a launch loads no classic zod, citty, consola, node:tty, node:os, shell template, nor any command but its own", () => {
    // `iclaude -p hi` pays for each before claude starts. Never, even later: citty or another command.
    // Not up front (a failure may load them to say so): consola, node:tty, node:os (a death by signal
    // names its number with it), the shell integrations' templates (edges/shells.ts: about 0.4 ms; a
    // sentence quotes with edges/quote.ts), nor zod and the credentials' code, loaded only when the
    // last check's verdict does not stand (launcher/last-check.ts).
    const ever = new Set([...loadedWith(["src/cli/main.ts"], false), ...loadedWith(["src/commands/run.ts"], true)]);
    const upFront = loadedWith(["src/cli/main.ts", "src/commands/run.ts"], false);
    const table = ["src/commands/index.ts", "src/commands/run.ts"];
    const readsCredentials = ["src/credentials/assessment.ts", "src/credentials/format.ts", "src/credentials/store/index.ts", "src/refresh/engine.ts"];
    const packages = (paths: Set<string>, banned: RegExp) =>
      [...paths].flatMap((path) => (BY_PATH.get(path)?.packages ?? []).filter((p) => banned.test(p)).map((p) => `${path} → ${p}`));
    const found = [
      ...packages(ever, /^(zod|zod\/v[34]|citty)$/),
      ...packages(upFront, /^(consola(\/.*)?|node:tty|node:os|zod(\/.*)?)$/),
      ...[...upFront].filter((path) => readsCredentials.includes(path) || path === "src/edges/shells.ts"),
      ...[...ever].filter((path) => inFolder(path, "commands") && !table.includes(path)),
    ];
    expect(upFront).toContain("src/launcher/last-check.ts");
    expect(ever).toContain("src/refresh/engine.ts");
    expect(found).toEqual([]);
  });
});
