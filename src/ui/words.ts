import { realpathSync } from "node:fs";
import { formatDuration } from "../base/durations.ts";
import { LOGIN_HINT } from "../base/errors.ts";
import { showText } from "../base/show.ts";
import type { Assessment } from "../credentials/assessment.ts";
import { secondsLeft as left } from "../credentials/clocks.ts";
import { quoteAnyShell } from "../edges/quote.ts";
import type { Change } from "../guard/install.ts";

const realOrSelf = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/**
 * How a person runs this very binary: `iclaude` when that is what PATH finds, else its absolute path,
 * quoted for any shell. Run from source (bun, not the compiled binary) there is no binary to name.
 */
export function selfCommand(env: NodeJS.ProcessEnv = process.env, self = process.execPath): string {
  if (!Bun.main.startsWith("/$bunfs/")) return "iclaude";
  const found = Bun.which("iclaude", { PATH: env.PATH ?? "" });
  return found && realOrSelf(found) === realOrSelf(self) ? "iclaude" : quoteAnyShell(self);
}

/** `login ends in 23 days` / `login ended 2h ago` / `login has no set end`. */
export function loginPhrase(a: Pick<Assessment, "loginExpiresAt"> & Partial<Pick<Assessment, "hasRefreshToken" | "refreshTokenDead">>, now: number): string {
  const s = left(a.loginExpiresAt, now);
  if (s === null) return "login has no set end";
  if (s <= 0 && a.hasRefreshToken && !a.refreshTokenDead)
    return `login was expected to end ${formatDuration(-s)} ago, and still renews until Anthropic ends it`;
  return s > 0 ? `login ends in ${formatDuration(s)}` : `login ended ${formatDuration(-s)} ago`;
}

/** Why Claude Code ended a login, in a person's words. */
export function endedPhrase(a: Pick<Assessment, "ended">): string | null {
  if (a.ended === "refused") return "Claude Code ended this login after Anthropic refused its refresh token";
  if (a.ended === "time-limit") return "Claude Code ended this login: it reached its time limit";
  return null;
}

function accessPhrase(a: Assessment, now: number): string {
  const s = left(a.expiresAt, now);
  if (s === null) return "access token expiry unknown";
  return s > 0 ? `access token ${formatDuration(s)} left` : `access token expired ${formatDuration(-s)} ago`;
}

/** What `refresh` reports after its outcome: `access token valid 8h, login ends in 23 days`, or the login clock alone. */
export function clocksPhrase(a: Assessment, now: number): string {
  if (a.source === "env") return "claude uses CLAUDE_CODE_OAUTH_TOKEN from the environment";
  if (a.source === "long-lived") return `claude uses the long-lived token, ${loginPhrase(a, now)}`;
  const s = left(a.expiresAt, now);
  if (!a.hasRefreshToken || s === null) return loginPhrase(a, now);
  return `${s > 0 ? `access token valid ${formatDuration(s)}` : "access token expired"}, ${loginPhrase(a, now)}`;
}

const where = (a: Assessment): string => [a.subscriptionType, a.source].filter(Boolean).join(", ");

/** The one line `status` prints: the verdict and both clocks. */
export function statusLine(a: Assessment, now: number): string {
  const verdict = a.status.replace("-", " ");
  switch (a.status) {
    case "missing":
      return `missing — no Claude login in ${a.path}`;
    case "invalid":
      return `invalid — ${a.error?.message ?? "the stored credentials cannot be used"}`;
    default:
      break;
  }
  if (a.source === "env") return `${verdict} — claude uses CLAUDE_CODE_OAUTH_TOKEN from the environment; its expiry is unknown (env)`;
  const endedWhy = a.source === "long-lived" ? null : endedPhrase(a);
  if (endedWhy) return `${verdict} — ${endedWhy} (${where(a)})`;
  if (a.source === "long-lived" || !a.hasRefreshToken) return `${verdict} — ${loginPhrase(a, now)} (${where(a)})`;
  return `${verdict} — ${accessPhrase(a, now)}, ${loginPhrase(a, now)} (${where(a)})`;
}

/** What a person should do next, or null when nothing. */
export function actionLine(a: Assessment): string | null {
  if (a.action === "refresh") return `run: ${selfCommand()} refresh`;
  if (a.action !== "login") return null;
  if (a.status === "missing") return "log in with `claude /login` (or `claude setup-token` and `iclaude refresh`)";
  if (a.status === "invalid") return null;
  return LOGIN_HINT;
}

/** What the setup-token fallback says around claude's own screen. */
export const SETUP_TOKEN_WORDS = {
  why: (expiring: boolean): string =>
    `Your Claude login ${expiring ? "ends soon" : "cannot be renewed"}. A long-lived token from \`claude setup-token\` keeps claude working for up to a year.`,
  question: "Run claude setup-token now? [y/N]",
  stored: "iclaude stored the long-lived token. It carries only user:inference: claude works, but /usage and Remote Control do not.",
};

/** What `iclaude hooks install` did to one hook, as its line says it. */
export function hookChangeWords(change: Change): string {
  switch (change.kind) {
    case "installed":
      return "installed";
    case "already-installed":
      return "already installed";
    case "updated":
      return "updated";
    case "chained":
      return `installed; the hook that was there runs first (kept as ${change.legacy})`;
    case "not-installed":
      return "not installed";
    case "not-ours":
      return "left alone: not iclaude's";
    case "removed":
      return "removed";
    case "previous-back":
      return "removed; the previous hook is back";
    case "hooks-path-restored":
      return `restored to ${change.to}`;
    case "hooks-path-unset":
      return "unset";
  }
}

/**
 * The one line the shell prompt prints when a person must act; null when
 * nothing is asked of anyone. `dir` names a profile other than `~/.claude`.
 * Every shell shows the same line: its command is quoted so that pasting it
 * into any of them runs that command alone, and no control character is raw.
 */
export function noticeLine(a: Assessment, now: number, profileDir?: string): string | null {
  const dir = profileDir === undefined ? "" : showText(profileDir);
  const login = dir ? `Claude login in ${dir}` : "Claude login";
  const prefix = dir ? `CLAUDE_CONFIG_DIR=${quoteAnyShell(dir)} ` : "";
  const run = `${prefix}${selfCommand()}`;
  switch (a.status) {
    case "login-expiring":
      return `iclaude: ${login} ends in ${formatDuration(((a.loginExpiresAt ?? now) - now) / 1000)} — run: ${run} refresh`;
    case "expired":
      return `iclaude: ${login} has ended — run: ${run} refresh`;
    case "missing":
      return `iclaude: no ${login} — run: ${prefix}claude /login`;
    case "invalid":
      return `iclaude: ${dir ? `Claude credentials in ${dir}` : "Claude credentials"} cannot be read — run: ${run} status`;
    default:
      return null;
  }
}

/** What the launcher says on stderr around claude: it never stops a launch, so each ends in what happens next. */
export const LAUNCH_WORDS = {
  cannotJudge: (reason: string): string => `Cannot judge the Claude login (${reason}); starting claude anyway.`,
  distrusted: "claude starts with Claude Code's own login",
  personNeeded: (a: Assessment, now: number): string => `Claude ${loginPhrase(a, now)} — ${LOGIN_HINT}.`,
  anyway: (reason: string): string => `${reason} Starting claude anyway.`,
  unchecked: (reason: string): string => `${reason} Starting claude without checking the login.`,
  envToken: "claude uses CLAUDE_CODE_OAUTH_TOKEN from the environment, which iclaude cannot renew",
  nothingToRenew: "there was nothing iclaude could renew",
  notReplayable: "claude's login was refused; not retried, as its input was too large to replay.",
  notRenewed: (reason: string): string => `claude's login was refused, and iclaude could not renew it: ${reason}`,
  retryLongLived: "claude's login was refused; iclaude is running claude once more with the stored long-lived token.",
  retryRefreshed: "claude's login was refused; iclaude refreshed it and is running claude once more.",
};
