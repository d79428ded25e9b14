import type { Assessment } from "../credentials/assessment.ts";
import { secondsLeft } from "../credentials/clocks.ts";
import { out } from "./out.ts";

/*
 * The JSON shapes iclaude prints, shared by the commands that print them
 * (`status --json`, `refresh --all --json` carry the same fields).
 */

/** `status --json`: the contract's fields, never a token. */
export function statusJson(a: Assessment, now: number): Record<string, unknown> {
  return {
    status: a.status,
    expiresAt: a.expiresAt,
    expiresIn: secondsLeft(a.expiresAt, now),
    loginExpiresAt: a.loginExpiresAt,
    scopes: a.scopes,
    subscriptionType: a.subscriptionType,
    hasRefreshToken: a.hasRefreshToken,
    store: a.source,
    path: a.path,
    action: a.action,
    ...(a.error ? { error: a.error.message } : {}),
  };
}

/** Prints a result object as one line of JSON on stdout. */
export const printJson = (value: unknown): Promise<void> => out(`${JSON.stringify(value)}\n`);
