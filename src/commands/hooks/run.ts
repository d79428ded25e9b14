import { EXIT, IclaudeError } from "../../base/errors.ts";
import { REFRESH_ARGS } from "../../edges/contract.ts";
import { type GuardResult, HOOK_NAMES, type HookName, runGuard } from "../../guard/run.ts";
import type { Finding } from "../../guard/scan.ts";
import { log } from "../../ui/log.ts";
import { command, withHelp } from "../_shared.ts";

/** A path as the user can read it: quoted when it holds a quote or a control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a control character is what makes a path need quoting
const showPath = (path: string): string => (/[\x00-\x1f"]/.test(path) ? JSON.stringify(path) : path);

const findingLine = (f: Finding): string => `  ${showPath(f.path)}${f.line === null ? "" : `:${f.line}`}  ${f.label}${f.shown ? ` ${f.shown}` : ""}`;

/** What to do, for each kind of finding there is: a secret in a file, a protected path, a secret as a name, the message. */
function remedy(findings: readonly Finding[], configPath: string): string {
  const has = (source: Finding["source"], protectedPath?: boolean) =>
    findings.some((f) => f.source === source && (protectedPath === undefined || (f.id === "protected-path") === protectedPath));
  const steps: string[] = [];
  if (has("content")) {
    steps.push(
      `take the secret out of the file and stage it again (or unstage the file: git reset -q -- <file>); for a false positive add "iclaude:allow" to the line, or a pattern to [guard] allow in ${configPath}`,
    );
  }
  if (has("path", true)) {
    steps.push(
      `unstage the file (git reset -q -- <file>) and list it in .gitignore; if it must be committed, add a pattern matching its path to [guard] allow in ${configPath}`,
    );
  }
  if (has("path", false)) steps.push("rename the file or directory whose name holds the secret (git mv), or unstage it");
  if (has("message")) steps.push(`write the commit message again without the secret (git commit -m "…", or -e to edit it)`);
  const text = steps.join("; ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function report(result: GuardResult, configPath: string): void {
  if (result.skip && result.agent) log.warn(`${result.skip} is ignored: this commit is made by ${result.agent.agent}.`);
  if (result.outcome === "skipped") log.warn(`${result.skip} is set: this commit was not checked for secrets.`);
  if (result.outcome !== "blocked") return;
  const by = result.agent ? ` made by ${result.agent.agent}` : "";
  const why = result.late ? " (pre-commit did not check it: --no-verify?)" : "";
  log.error(`commit${by} blocked${why}:`);
  for (const finding of result.findings) log.log(findingLine(finding));
  throw new IclaudeError(remedy(result.findings, configPath), EXIT.blocked);
}

/** Keeps an agent's Claude session alive: the detached background refresh (REFRESH_ARGS) a prompt starts, which the commit never waits for. */
function topUp(): void {
  try {
    // The hook stub turns the JIT off for its own short run; the refresh may run longer, and must not pass it on.
    const env = { ...process.env, BUN_JSC_useJIT: undefined };
    Bun.spawn([process.execPath, ...REFRESH_ARGS], { env, stdio: ["ignore", "ignore", "ignore"], detached: true }).unref();
  } catch {
    // The commit must not fail because a refresh could not start; the next prompt or launch refreshes.
  }
}

export default withHelp(
  command({
    meta: { name: "run", description: "Run a guard hook on the staged changes and the commit message (exit 0 pass, 1 blocked); git calls it" },
    args: {
      hook: { type: "positional", required: true, valueHint: HOOK_NAMES.join("|"), description: "The git hook being run" },
      file: {
        type: "positional",
        required: false,
        valueHint: "file",
        description: "The commit message file, which git passes to prepare-commit-msg, commit-msg and applypatch-msg",
      },
      // Declared so that every argument git passes is one the command knows; the guard reads the message itself.
      source: {
        type: "positional",
        required: false,
        valueHint: "source",
        description: "prepare-commit-msg: where the message came from (message, template, merge, squash, commit)",
      },
      commit: {
        type: "positional",
        required: false,
        valueHint: "commit",
        description: "prepare-commit-msg: the commit whose message is reused (-c, -C, --amend)",
      },
    },
    async run({ args }) {
      if (!HOOK_NAMES.includes(args.hook as HookName)) {
        throw new IclaudeError(`Unknown hook "${args.hook}"; use one of ${HOOK_NAMES.join(", ")}.`);
      }
      // Loaded lazily: the guard starts git first, and the config (with zod) loads while git answers.
      const config = import("../../base/config.ts").then((m) => m.loadConfig());
      const result = await runGuard(args.hook as HookName, config, process.env, args.file, topUp);
      report(result, (await config).configPath);
      return EXIT.ok;
    },
  }),
  {
    examples: [["iclaude hooks run pre-commit", "what the installed hook runs"]],
    env: ["SKIP", "ICLAUDE_CONFIG"],
    config: ["guard.allow", "guard.protected_paths", "guard.strict_for_humans"],
    exits: [
      ["0", "pass"],
      ["1", "blocked"],
      ["2", "bad guard config"],
    ],
  },
);
