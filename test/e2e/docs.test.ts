import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CommandNode, commandTree } from "../../src/cli/tree.ts";
import { commands } from "../../src/commands/index.ts";
import { OUTCOME_WORDS } from "../../src/commands/refresh.ts";
import { commandLine } from "../../src/ui/command-node.ts";
import { ENV } from "../../src/ui/help.ts";
import { BIN, ROOT, runBin, tempHome } from "../helpers.ts";

/**
 * The documentation a newcomer reads: a short README whose first screen installs and runs something,
 * relative links that lead somewhere, and a man page that names every command and option of the
 * command table, as `--help` does, and renders without a warning.
 */
const MAN_PAGE = join(dirname(BIN), "iclaude.1");
const PAGES = ["README.md", "CHANGELOG.md", ...readdirSync(join(ROOT, "docs")).map((name) => `docs/${name}`)].filter((p) => p.endsWith(".md"));
const read = (page: string): string => readFileSync(join(ROOT, page), "utf8");

/** Markdown prose: fenced blocks and inline code taken out, so a `[x](y)` in an example is no link. */
const prose = (text: string): string => text.replace(/^```[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of text.replace(/^```[\s\S]*?^```$/gm, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (heading ?? "")
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replaceAll(" ", "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

const everyNode = (nodes: CommandNode[]): CommandNode[] => nodes.flatMap((n) => [n, ...everyNode(n.subs)]);

/** Every word a command's definition declares: its subcommands, positionals and each spelling of each flag. */
function declaredWords(node: CommandNode): string[] {
  const words = node.subs.map((s) => s.path.at(-1) ?? "");
  for (const arg of node.args) {
    if (arg.kind === "positional") words.push(arg.valueHint ?? arg.name);
    else {
      if (!arg.onByDefault) words.push(`--${arg.name}`, ...arg.aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)));
      if (arg.negatable) words.push(`--no-${arg.name}`);
    }
  }
  return words;
}

/** `man -l` as a person runs it, at 80 columns, with no pager: the text, and what man said on stderr. */
function renderMan(): { code: number; text: string; warnings: string } {
  const man = Bun.spawnSync(["man", "--warnings", "-l", MAN_PAGE], {
    env: { PATH: "/usr/bin:/bin", LANG: "C", MANWIDTH: "80", MANPAGER: "cat", PAGER: "cat", HOME: tempHome() },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: man.exitCode ?? -1, text: man.stdout.toString(), warnings: man.stderr.toString() };
}

describe("docs", () => {
  test("the README fits in 16 KB; its first 40 lines install and run iclaude, and say nothing of CI", () => {
    const readme = read("README.md");
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(16 * 1024);
    const first = readme.split("\n").slice(0, 40).join("\n");
    expect(first).toContain("./install.sh");
    expect(first).toMatch(/^iclaude [a-z]/m);
    expect(first).not.toContain(".ci/run");
    expect(first).not.toMatch(/\bCI\b/);
    // The two set-up commands, exactly as .ci/run runs them, are the first code block.
    expect(readme.match(/^```[\s\S]*?^```$/m)?.[0]).toBe(
      "```sh\n" +
        "./install.sh    # installs dependencies, compiles dist/iclaude, installs it and the shell integration\n" +
        'npm test        # typecheck, lint (Biome), build, the whole suite; ends with "N passed, N failed"\n' +
        "```",
    );
  });

  test("every relative link in the README and docs/ leads to a file, and an #anchor to a heading there", () => {
    const broken: string[] = [];
    let links = 0;
    for (const page of PAGES) {
      for (const [, target] of prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/i.test(target)) continue;
        links++;
        const [path = "", anchor] = target.split("#");
        const file = path ? join(ROOT, dirname(page), path) : join(ROOT, page);
        if (!existsSync(file)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor !== undefined && !anchors(readFileSync(file, "utf8")).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
    expect(links).toBeGreaterThan(40);
  });

  test("the man page and each command's --help name every command, subcommand and option of the table", async () => {
    const nodes = everyNode(await commandTree(commands));
    const { text } = renderMan();
    // Each command's part of the page runs from its own heading to the next command's.
    const sections = text.split(/^ {3}(?=iclaude )/m);
    const home = tempHome();
    const missing: string[] = [];
    for (const node of nodes) {
      const line = commandLine(node);
      const section = sections.find((s) => s.startsWith(`${line}\n`));
      if (!section) missing.push(`man: no section for ${line}`);
      const help = await runBin([...node.path, "--help"], { home });
      expect([line, help.code]).toEqual([line, 0]);
      for (const word of declaredWords(node)) {
        if (!section?.includes(word)) missing.push(`man, ${line}: ${word}`);
        if (!help.stdout.includes(word)) missing.push(`${line} --help: ${word}`);
      }
    }
    const top = await runBin(["--help"], { home });
    for (const node of nodes.filter((n) => n.path.length === 1)) {
      if (!top.stdout.includes(`  ${node.path[0]} `)) missing.push(`iclaude --help: ${node.path[0]}`);
      if (!text.includes(`       ${node.path[0]}`)) missing.push(`man COMMANDS: ${node.path[0]}`);
    }
    expect(missing).toEqual([]);
  });

  test("man -l renders the page at 80 columns with no warning, and groff finds nothing to say", () => {
    const { code, text, warnings } = renderMan();
    expect([code, warnings]).toEqual([0, ""]);
    expect(text).toStartWith("ICLAUDE(1)");
    for (const heading of ["NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "ENVIRONMENT", "CONFIGURATION", "EXIT STATUS", "FILES"]) {
      expect(text).toContain(`\n${heading}\n`);
    }
    const groff = Bun.spawnSync(["groff", "-ww", "-z", "-man", MAN_PAGE], { stdout: "pipe", stderr: "pipe" });
    expect([groff.exitCode, groff.stderr.toString()]).toEqual([0, ""]);
  });

  test("docs/configuration.md names every variable and config key the help describes", async () => {
    const configuration = read("docs/configuration.md");
    const keys = everyNode(await commandTree(commands)).flatMap((n) => n.help.config ?? []);
    // A key of a [section] is written in the file under its section: `[guard] allow`, `[notify] command`.
    const written = (key: string): string => key.replace(/^(\w+)\.(\w+)$/, "[$1] $2");
    const missing = [...Object.keys(ENV), ...keys].filter((name) => !configuration.includes(`\`${written(name)}`));
    expect(missing).toEqual([]);
  });

  test("docs/json.md lists exactly the outcomes refresh --json prints", () => {
    const json = read("docs/json.md");
    const table = json.slice(json.indexOf("### `outcome` values"), json.indexOf("\n## ", json.indexOf("### `outcome` values")));
    const documented = [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...Object.keys(OUTCOME_WORDS), "failed"].sort());
  });
});
