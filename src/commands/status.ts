import { defineCommand } from "citty";
import { secondsLeft, STATUS_EXIT } from "../core/clocks.ts";
import { loadConfig } from "../core/config.ts";
import { assess, type Assessment } from "../core/current.ts";
import { stateTrustError } from "../core/state-trust.ts";
import { log } from "../ui/log.ts";
import { actionLine, statusLine } from "../ui/words.ts";
import { clockArgs, outputArgs, printJson } from "./_shared.ts";

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
    store: a.store,
    path: a.path,
    action: a.action,
    ...(a.error ? { error: a.error.message } : {}),
  };
}

export default defineCommand({
  meta: { name: "status", description: "Judge the Claude login claude will use (exit 0 valid, 10 refresh due, 11 login expiring, 12 expired, 13 missing, 14 invalid)" },
  args: { ...outputArgs, ...clockArgs },
  run({ args }) {
    const config = loadConfig({ threshold: args.threshold, refreshMargin: args["refresh-margin"] });
    const now = Date.now();
    const a = assess(config, process.env, now);
    const distrusted = stateTrustError(config, "a long-lived token there is not used");
    if (distrusted && !args.quiet) log.warn(distrusted.message);
    if (args.json) printJson(statusJson(a, now));
    else if (!args.quiet) {
      const action = actionLine(a);
      process.stdout.write(`${statusLine(a, now)}\n${action ? `${action}\n` : ""}`);
    }
    return STATUS_EXIT[a.status];
  },
});
