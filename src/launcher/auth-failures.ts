/**
 * How a failed claude run says its login was refused. One entry per message
 * the real Claude Code (2.1.197, 2.1.332) or the API behind it prints; each is matched
 * only against output of a run that exited non-zero. Rate limits (429, "usage
 * limit"), overloads (529), network errors and "temporary network issue" are
 * deliberately absent: a refresh cannot cure them.
 *
 * Each `needle` is a plain ASCII run of its pattern that every match contains: a line without it is
 * passed over before the pattern is compiled. A gated run's first line waited for all fifteen to
 * compile: judging it took 0.5 to 0.7 ms, and takes 0.25 ms now.
 */
export const AUTH_FAILURES = [
  { name: "print-mode 401/403", needle: "Failed to authenticate", pattern: /Failed to authenticate\. API Error: 40[13]\b/ },
  { name: "interactive 401/403", needle: "API Error: 40", pattern: /Please run \/login · API Error: 40[13]\b/ },
  { name: "expired OAuth token (API)", needle: "OAuth token has expired", pattern: /OAuth token has expired/ },
  { name: "revoked OAuth token (API)", needle: "OAuth token has been revoked", pattern: /OAuth token has been revoked/ },
  { name: "revoked OAuth token (interactive)", needle: "OAuth token revoked", pattern: /OAuth token revoked · Please run \/login/ },
  { name: "revoked OAuth token (print mode)", needle: "Please login again", pattern: /Your account does not have access to Claude\. Please login again/ },
  { name: "invalid bearer token (API)", needle: "Invalid bearer token", pattern: /Invalid bearer token/ },
  { name: "authentication_error (API error type)", needle: "authentication_error", pattern: /\bauthentication_error\b/ },
  { name: "authentication_failed (stream-json)", needle: '"error":"authentication_failed"', pattern: /"error":"authentication_failed"/ },
  { name: "not logged in", needle: "Not logged in", pattern: /Not logged in · Please run \/login/ },
  {
    name: "refresh failed (2.1.332 print mode)",
    needle: "Failed to authenticate: OAuth session expired",
    pattern: /Failed to authenticate: OAuth session expired and could not be refreshed/,
  },
  {
    name: "login time limit (2.1.332 print mode)",
    needle: "Failed to authenticate: this login reached its time limit",
    pattern: /Failed to authenticate: this login reached its time limit/,
  },
  {
    name: "revoked OAuth token (2.1.332 print mode)",
    needle: "Failed to authenticate: OAuth token revoked",
    pattern: /Failed to authenticate: OAuth token revoked\./,
  },
  { name: "login expired (2.1.332 interactive)", needle: "Login expired", pattern: /Login expired · Please run \/login/ },
  {
    name: "login time limit (2.1.332 interactive)",
    needle: "Login reached its time limit",
    pattern: /Login reached its time limit · Please run \/login/,
  },
] as const;

export const isAuthFailure = (text: string): boolean => AUTH_FAILURES.some(({ needle, pattern }) => text.includes(needle) && pattern.test(text));
