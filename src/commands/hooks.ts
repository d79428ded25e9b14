import { defineCommand } from "citty";
import { loadConfig } from "../core/config.ts";
import { EXIT, IclaudeError } from "../core/errors.ts";
import { HOOK_NAMES, runGuard, type GuardResult, type HookName } from "../core/guard.ts";
import { installGlobal, installRepo } from "../core/hook-install.ts";
import type { Finding } from "../core/scan.ts";
import { log } from "../ui/log.ts";
import { withHelp } from "./_shared.ts";

/** A path as the user can read it: quoted when it holds a quote or a control character. */
const showPath = (path: string): string => (/[\x00-\x1f"]/.test(path) ? JSON.stringify(path) : path);

const findingLine = (f: Finding): string =>
  `  ${showPath(f.path)}${f.line === null ? "" : `:${f.line}`}  ${f.label}${f.shown ? ` ${f.shown}` : ""}`;

function report(result: GuardResult, configPath: string): void {
  if (result.skip && result.agent) log.warn(`${result.skip} is ignored: this commit is made by ${result.agent.agent}.`);
  if (result.outcome === "skipped") log.warn(`${result.skip} is set: this commit was not checked for secrets.`);
  if (result.outcome !== "blocked") return;
  const by = result.agent ? ` made by ${result.agent.agent}` : "";
  const why = result.late ? " (pre-commit did not check it: --no-verify?)" : "";
  log.error(`commit${by} blocked${why}:`);
  for (const finding of result.findings) log.log(findingLine(finding));
  throw new IclaudeError(
    `Take it out of the commit (edit the file and stage it again, or unstage it: git reset -q -- <file>); for a false positive add "iclaude:allow" to the line, or a pattern to [guard] allow in ${configPath}.`,
    EXIT.blocked,
  );
}

const install = withHelp(defineCommand({
  meta: { name: "install", description: "Install the guard's pre-commit and prepare-commit-msg hooks in this repository (or globally)" },
  args: {
    global: { type: "boolean", description: "Install for every repository: a directory of iclaude's as the global core.hooksPath, still running each repository's own hooks" },
    force: { type: "boolean", description: "Chain the hook that is there even when an earlier chained hook would be replaced" },
    uninstall: { type: "boolean", description: "Remove iclaude's hooks and put back what was there" },
  },
  async run({ args }) {
    const binary = process.execPath;
    const changes = args.global
      ? await installGlobal(binary, { uninstall: args.uninstall === true })
      : await installRepo(binary, { force: args.force === true, uninstall: args.uninstall === true });
    for (const { hook, change } of changes) process.stdout.write(`${hook}: ${change}\n`);
    return EXIT.ok;
  },
}), {
  examples: [["iclaude hooks install", "this repository"], ["iclaude hooks install --global", "every repository"], ["iclaude hooks install --uninstall", "put back what was there"]],
  exits: [["0", "installed or removed"], ["2", "something in the way (the sentence says what)"]],
});

const run = withHelp(defineCommand({
  meta: { name: "run", description: "Run a guard hook on the staged changes; git calls it" },
  args: {
    hook: { type: "positional", required: true, valueHint: HOOK_NAMES.join("|"), description: "The git hook being run" },
  },
  async run({ args }) {
    if (!HOOK_NAMES.includes(args.hook as HookName)) {
      throw new IclaudeError(`Unknown hook "${args.hook}"; use one of ${HOOK_NAMES.join(", ")}.`);
    }
    const config = loadConfig();
    report(await runGuard(args.hook as HookName, config), config.configPath);
    return EXIT.ok;
  },
}), {
  examples: [["iclaude hooks run pre-commit", "what the installed hook runs"]],
  extraWords: "What git passes the hook (the message file, its source, a commit), handed on as they are",
  env: ["SKIP", "ICLAUDE_CONFIG"],
  config: ["guard.allow", "guard.protected_paths", "guard.strict_for_humans"],
  exits: [["0", "pass"], ["1", "blocked"], ["2", "bad guard config"]],
});

export default withHelp(defineCommand({
  meta: { name: "hooks", description: "The git guard: blocks commits that add Claude tokens, API keys, credential files or private keys" },
  subCommands: { install, run },
}), { examples: [["iclaude hooks install --global", "guard every repository"]], exits: [["0", "pass"], ["1", "blocked"], ["2", "bad guard config"]] });
