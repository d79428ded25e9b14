/**
 * Claude Code's mark of a login it ended: after `invalid_grant` both 2.1.197 and 2.1.332 blank the
 * pair (`accessToken: "", refreshToken: ""`, `expiresAt: 0`); 2.1.332 may add `loginEnded: "time_limit"`.
 */
export function isEndedLogin(oauth: { accessToken: string; refreshToken?: string | null; loginEnded?: string | null }): boolean {
  return Boolean(oauth.loginEnded) || (oauth.accessToken === "" && oauth.refreshToken === "");
}
