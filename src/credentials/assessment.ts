import type { Config } from "../base/config.ts";
import type { Env } from "../base/env.ts";
import { IclaudeError, isOutOfFiles, outOfFiles } from "../base/errors.ts";
import { type Action, judge, type Status } from "./clocks.ts";
import { isDeadRefreshToken } from "./dead-tokens.ts";
import { type CredentialsFile, isEndedLogin, type NewTokens, tokensIn, withNewTokens } from "./format.ts";
import { type CredentialStore, claudeKeychainItem, openStore, readCredentials, type StoredCredentials } from "./store/index.ts";
import { longLivedPath, longLivedTokens, readLongLived } from "./store/long-lived.ts";
import { readRescue, rescuedTokens } from "./store/rescue.ts";

export type Source = "file" | "keychain" | "long-lived" | "env";

/** The credential claude will use, and the verdict on it: what every command starts from. */
export interface Assessment {
  status: Status;
  action: Action;
  /** Where the token comes from; `status --json` calls it `store`. */
  source: Source;
  /** A path or Keychain service; null for a token from the environment. */
  path: string | null;
  expiresAt: number | null;
  loginExpiresAt: number | null;
  scopes: string[];
  subscriptionType: string | null;
  hasRefreshToken: boolean;
  /** The token claude would send; null when there is none. */
  accessToken: string | null;
  /** Claude Code's own stored credentials (absent for `env`). */
  stored: StoredCredentials | null;
  /** The refresh token was answered `invalid_grant` before. */
  refreshTokenDead: boolean;
  /** Why the stored credentials could not be used, for `invalid`. */
  error: IclaudeError | null;
  /** A pair a failed write left in the state dir for these credentials: judged here, put in place by the next refresh run. */
  rescued: NewTokens | null;
  /** Claude Code ended this login itself: it blanked the pair after `invalid_grant`, or marked it `loginEnded: "time_limit"`. */
  ended: "refused" | "time-limit" | null;
}

function fromEnv(token: string): Assessment {
  return {
    status: "valid",
    action: "none",
    source: "env",
    path: null,
    expiresAt: null,
    loginExpiresAt: null,
    scopes: [],
    subscriptionType: null,
    hasRefreshToken: false,
    accessToken: token,
    stored: null,
    refreshTokenDead: false,
    error: null,
    rescued: null,
    ended: null,
  };
}

/** A login Claude Code ended is `expired`, with nothing left to send. */
function ended(stored: StoredCredentials, oauth: NonNullable<CredentialsFile["claudeAiOauth"]>): Assessment {
  return {
    status: "expired",
    action: "login",
    source: stored.store.kind,
    path: stored.store.location,
    expiresAt: null,
    loginExpiresAt: null,
    scopes: oauth.scopes,
    subscriptionType: oauth.subscriptionType ?? null,
    hasRefreshToken: false,
    accessToken: null,
    stored,
    refreshTokenDead: false,
    error: null,
    rescued: null,
    ended: oauth.loginEnded === "time_limit" ? "time-limit" : "refused",
  };
}

function fromFile(config: Config, stored: StoredCredentials, file: CredentialsFile, now: number): Assessment {
  const oauth = file.claudeAiOauth;
  if (oauth && isEndedLogin(oauth)) return ended(stored, oauth);
  const refreshToken = oauth?.refreshToken ?? null;
  const refreshTokenDead = refreshToken !== null && isDeadRefreshToken(config, refreshToken);
  const expiresAt = oauth?.expiresAt ?? null;
  const verdict = oauth
    ? judge(
        { accessExpiresAt: expiresAt, refreshExpiresAt: oauth.refreshTokenExpiresAt ?? null, refreshable: refreshToken !== null && !refreshTokenDead },
        now,
        config,
      )
    : { status: "missing" as const, action: "login" as const, loginExpiresAt: null };
  return {
    ...verdict,
    source: stored.store.kind,
    path: stored.store.location,
    expiresAt,
    scopes: oauth?.scopes ?? [],
    subscriptionType: oauth?.subscriptionType ?? null,
    hasRefreshToken: refreshToken !== null,
    accessToken: oauth?.accessToken ?? null,
    stored,
    refreshTokenDead,
    error: null,
    rescued: null,
    ended: null,
  };
}

/** The credentials as judged: the stored file, or the pair a failed write rescued for it (then iclaude must write it). */
function fromStored(config: Config, stored: StoredCredentials, file: CredentialsFile, now: number): Assessment {
  const rescued = readRescue(config, stored.store.location, file.claudeAiOauth?.refreshToken);
  if (!rescued) return fromFile(config, stored, file, now);
  return { ...fromFile(config, stored, withNewTokens(file, rescued), now), action: "refresh", rescued };
}

function empty(store: CredentialStore, stored: StoredCredentials | null, status: "missing" | "invalid", error: IclaudeError | null): Assessment {
  return {
    status,
    action: "login",
    source: store.kind,
    path: store.location,
    expiresAt: null,
    loginExpiresAt: null,
    scopes: [],
    subscriptionType: null,
    hasRefreshToken: false,
    accessToken: null,
    stored,
    refreshTokenDead: false,
    error,
    rescued: null,
    ended: null,
  };
}

/**
 * The one answer to "can the refresh grant renew this login?": Claude Code's own stored login
 * with a refresh token Anthropic has not refused. When it cannot, a stored long-lived token takes
 * over; the engine sends the grant only when it can; next-check wakes for its access clock only then.
 */
export const isRenewable = (a: Pick<Assessment, "source" | "status" | "hasRefreshToken" | "refreshTokenDead">): boolean =>
  (a.source === "file" || a.source === "keychain") && a.hasRefreshToken && !a.refreshTokenDead && a.status !== "expired" && a.status !== "invalid";

/**
 * The one answer to "is a refresh due?", which the engine alone asks: a pair a failed write rescued
 * (only a run can put it in place), or a renewable login inside the margin — or any, when forced.
 */
export const isRefreshDue = (a: Assessment, force = false): boolean => a.rescued !== null || (isRenewable(a) && (force || a.status === "refresh-due"));

function withLongLived(config: Config, own: Assessment, now: number): Assessment {
  if (isRenewable(own)) return own;
  const record = readLongLived(config);
  if (!record || record.expiresAt <= now) return own;
  const verdict = judge({ accessExpiresAt: record.expiresAt, refreshExpiresAt: null, refreshable: false }, now, config);
  return {
    ...own,
    ...verdict,
    source: "long-lived",
    path: longLivedPath(config),
    expiresAt: record.expiresAt,
    scopes: ["user:inference"],
    subscriptionType: null,
    hasRefreshToken: false,
    accessToken: record.token,
    error: null,
  };
}

/** A token claude could still send right now (an expiring login's included). */
export const isUsable = (a: Assessment, now: number = Date.now()): a is Assessment & { accessToken: string } =>
  a.accessToken !== null && ["valid", "refresh-due", "login-expiring"].includes(a.status) && (a.expiresAt === null || a.expiresAt > now);

/**
 * Judges the credential claude will use: CLAUDE_CODE_OAUTH_TOKEN first (as
 * claude does), then Claude Code's store, then iclaude's long-lived token when
 * the stored login cannot be renewed. `written`: the credentials a refresh has
 * just put in the store, judged as they are instead of being read back.
 */
export function assess(config: Config, env: Env = process.env, now: number = Date.now(), written?: StoredCredentials): Assessment {
  if (env.CLAUDE_CODE_OAUTH_TOKEN) return fromEnv(env.CLAUDE_CODE_OAUTH_TOKEN);
  const store = written?.store ?? openStore(config);
  let own: Assessment;
  try {
    const stored = written ?? readCredentials(store);
    own = stored.parsed ? fromStored(config, stored, stored.parsed, now) : empty(store, stored, "missing", null);
  } catch (error) {
    if (!(error instanceof IclaudeError)) throw error;
    // A file that could not be opened for want of a descriptor says nothing about the login.
    if (isOutOfFiles(error)) throw outOfFiles(error);
    own = empty(store, null, "invalid", error);
  }
  return withLongLived(config, own, now);
}

/**
 * Every token of the credentials assess() chooses from, as stored and unjudged: the guard finds
 * them by exact value. CLAUDE_CODE_OAUTH_TOKEN, Claude Code's stored pair, a pair a failed write
 * rescued for that store, and the long-lived token. Nothing is validated — a file Claude Code
 * cannot read still holds real tokens — so no schema is built, and a commit pays for no zod.
 */
export function heldTokens(config: Config, env: Env = process.env): string[] {
  let stored: string[] = [];
  // Where a rescued pair may be kept: the store's location; either one when the store cannot be opened.
  let locations: string[];
  try {
    const store = openStore(config);
    locations = [store.location];
    stored = tokensIn(store.readBytes()?.toString("utf8") ?? null);
  } catch {
    // Credentials this user cannot read (root's after `sudo claude /login`, a locked Keychain): the other sources still count.
    locations = [config.credentialsPath, claudeKeychainItem(config).service];
  }
  const tokens = [env.CLAUDE_CODE_OAUTH_TOKEN ?? "", ...stored, ...locations.flatMap((at) => rescuedTokens(config, at)), ...longLivedTokens(config)];
  return [...new Set(tokens.filter((t) => t !== ""))];
}
