import { type Env, homeOf } from "../base/env.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { sha256Hex } from "../base/secrets.ts";
import { REFRESH_ARGS } from "../edges/contract.ts";
import { SHELLS } from "../edges/shells.ts";
import { type Backend, runTool, schedulablePath } from "./common.ts";

const BEGIN = "# >>> iclaude schedule >>>";
const END = "# <<< iclaude schedule <<<";

/**
 * Hourly at a minute of this user's own, so many machines and users do not
 * all knock at once. ICLAUDE_CRON_SCHEDULE replaces the five fields (tests use
 * `* * * * *` to see a run within a minute).
 */
function cronFields(env: Env): string {
  const custom = env.ICLAUDE_CRON_SCHEDULE?.trim();
  if (custom) {
    if (!/^([\d*/,-]+\s+){4}[\d*/,-]+$/.test(custom))
      throw new IclaudeError(`ICLAUDE_CRON_SCHEDULE: "${custom.slice(0, 40)}" is not five cron fields such as "17 * * * *".`, EXIT.usage);
    return custom.split(/\s+/).join(" ");
  }
  const minute = Number.parseInt(sha256Hex(homeOf(env)).slice(0, 2), 16);
  return `${minute % 60} * * * *`;
}

/** cron turns an unescaped `%` into a line break (the rest becomes stdin), quoted or not: each is written `\%`. */
const cronWord = (bin: string): string => SHELLS.sh.quote(schedulablePath(bin, "a crontab line")).replaceAll("%", "\\%");

export const renderCronBlock = (bin: string, env: Env): string =>
  `${BEGIN}\n${cronFields(env)} ICLAUDE_SCHEDULER=cron ${cronWord(bin)} ${REFRESH_ARGS.join(" ")}\n${END}\n`;

/** The user's crontab; null when there is no `crontab` on this machine. */
function crontabOrNull(env: Env): string | null {
  const ran = runTool(["crontab", "-l"], env);
  if (ran === null) return null;
  if (ran.code === 0) return ran.out;
  if (/no crontab for/i.test(ran.err)) return "";
  throw new IclaudeError(`\`crontab -l\` failed (${ran.err || `exit ${ran.code}`}); nothing was changed.`, EXIT.usage);
}

function writeCrontab(text: string, env: Env): void {
  const ran = runTool(["crontab", "-"], env, text);
  if (ran?.code !== 0) throw new IclaudeError(`\`crontab -\` failed (${ran?.err || "no crontab"}); the crontab was left as it was.`, EXIT.usage);
}

/** The crontab split around iclaude's block; the other lines are kept byte for byte. */
function splitCrontab(text: string): { before: string; block: string | null; after: string } {
  const start = text.indexOf(`${BEGIN}\n`);
  if (start < 0) return { before: text, block: null, after: "" };
  const endAt = text.indexOf(`${END}\n`, start);
  if (endAt < 0) throw new IclaudeError(`The iclaude markers in your crontab are unbalanced; fix them with \`crontab -e\`.`, EXIT.usage);
  const stop = endAt + END.length + 1;
  return { before: text.slice(0, start), block: text.slice(start, stop), after: text.slice(stop) };
}

export const cron: Backend = {
  name: "cron",
  install(bin, env) {
    const current = crontabOrNull(env);
    if (current === null) throw new IclaudeError("There is no `crontab` on this machine; install cron, or use --systemd or --launchd.", EXIT.usage);
    const block = renderCronBlock(bin, env);
    const { before, block: old, after } = splitCrontab(current);
    if (old === block) return ["cron: the crontab line is already installed"];
    const head = old === null && before !== "" && !before.endsWith("\n") ? `${before}\n` : before;
    writeCrontab(`${head}${block}${after}`, env);
    return [`cron: ${old === null ? "added" : "updated"} the line in your crontab (see \`crontab -l\`)`];
  },
  remove(env) {
    const current = crontabOrNull(env);
    if (current === null) return [];
    const { before, block, after } = splitCrontab(current);
    if (block === null) return [];
    writeCrontab(`${before}${after}`, env);
    return ["cron: removed the line from your crontab"];
  },
  installed(env) {
    const current = crontabOrNull(env);
    if (current === null) return null;
    const { block } = splitCrontab(current);
    return block === null ? null : { where: "crontab", state: block.split("\n")[1] ?? null };
  },
};
