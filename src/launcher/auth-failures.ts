/**
 * How a failed claude run says its login was refused. One entry per message
 * the real Claude Code (2.1.197, 2.1.332) or the API behind it prints; each is matched
 * only against output of a run that exited non-zero. Rate limits (429, "usage
 * limit"), overloads (529), network errors and "temporary network issue" are
 * deliberately absent: a refresh cannot cure them.
 */
export const AUTH_FAILURES = [
  { name: "print-mode 401/403", pattern: /Failed to authenticate\. API Error: 40[13]\b/ },
  { name: "interactive 401/403", pattern: /Please run \/login · API Error: 40[13]\b/ },
  { name: "expired OAuth token (API)", pattern: /OAuth token has expired/ },
  { name: "revoked OAuth token (API)", pattern: /OAuth token has been revoked/ },
  { name: "revoked OAuth token (interactive)", pattern: /OAuth token revoked · Please run \/login/ },
  { name: "revoked OAuth token (print mode)", pattern: /Your account does not have access to Claude\. Please login again/ },
  { name: "invalid bearer token (API)", pattern: /Invalid bearer token/ },
  { name: "authentication_error (API error type)", pattern: /\bauthentication_error\b/ },
  { name: "authentication_failed (stream-json)", pattern: /"error":"authentication_failed"/ },
  { name: "not logged in", pattern: /Not logged in · Please run \/login/ },
  { name: "refresh failed (2.1.332 print mode)", pattern: /Failed to authenticate: OAuth session expired and could not be refreshed/ },
  { name: "login time limit (2.1.332 print mode)", pattern: /Failed to authenticate: this login reached its time limit/ },
  { name: "revoked OAuth token (2.1.332 print mode)", pattern: /Failed to authenticate: OAuth token revoked\./ },
  { name: "login expired (2.1.332 interactive)", pattern: /Login expired · Please run \/login/ },
  { name: "login time limit (2.1.332 interactive)", pattern: /Login reached its time limit · Please run \/login/ },
] as const;

export const isAuthFailure = (text: string): boolean => AUTH_FAILURES.some(({ pattern }) => pattern.test(text));
