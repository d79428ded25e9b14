import { expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/base/config.ts";
import { heldTokens } from "../../../src/credentials/assessment.ts";
import { writeLongLived } from "../../../src/credentials/store/long-lived.ts";
import { saveRescue } from "../../../src/credentials/store/rescue.ts";
import { DAY, fakeToken, tempHome, writeCredentials } from "../../helpers.ts";

const configOf = (home: string) => loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: join(home, "state"), ICLAUDE_STORE: "file" });

test("every source assess() chooses from: the environment, the stored pair, a rescued pair, the long-lived token", () => {
  const home = tempHome();
  const config = configOf(home);
  const stored = writeCredentials(home).claudeAiOauth as { accessToken: string; refreshToken: string };
  const rescued = { accessToken: fakeToken("oat01"), refreshToken: fakeToken("ort01"), expiresAt: Date.now() + DAY, scopes: [] };
  saveRescue(config, config.credentialsPath, stored.refreshToken, rescued);
  const longLived = fakeToken("oat01");
  writeLongLived(config, { token: longLived, expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() });
  const fromEnv = fakeToken("oat01");
  expect(heldTokens(config, { CLAUDE_CODE_OAUTH_TOKEN: fromEnv })).toEqual([
    fromEnv,
    stored.accessToken,
    stored.refreshToken,
    rescued.accessToken,
    rescued.refreshToken,
    longLived,
  ]);
});

test("a file Claude Code could not read still holds real tokens; nothing stored is no tokens", () => {
  const home = tempHome();
  const config = configOf(home);
  expect(heldTokens(config, {})).toEqual([]);
  const token = fakeToken("oat01");
  // A wrong type elsewhere and a blanked refresh token: assess() calls this invalid, the access token is still the user's.
  writeCredentials(home, { accessToken: token, refreshToken: "", scopes: "all" as unknown as string[] });
  expect(heldTokens(config, {})).toEqual([token]);
  writeFileSync(config.credentialsPath, '{"claudeAiOauth": {"accessToken": "sk-ant-oat01-trunc');
  expect(heldTokens(config, {})).toEqual([]);
  mkdirSync(join(home, "state"), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, "state", "long-lived-token.json"), JSON.stringify({ token: 42 }), { mode: 0o600 });
  expect(heldTokens(config, {})).toEqual([]);
});

test("credentials this user cannot read cost only their own tokens: the environment's, a rescued pair and the long-lived token still count", () => {
  const home = tempHome();
  const config = configOf(home);
  // A directory where the file should be reads as an error, as root's file does after `sudo claude /login`.
  mkdirSync(config.credentialsPath, { recursive: true });
  const rescued = { accessToken: fakeToken("oat01"), refreshToken: fakeToken("ort01"), expiresAt: Date.now() + DAY, scopes: [] };
  saveRescue(config, config.credentialsPath, fakeToken("ort01"), rescued);
  const longLived = fakeToken("oat01");
  writeLongLived(config, { token: longLived, expiresAt: Date.now() + 300 * DAY, createdAt: Date.now() });
  const fromEnv = fakeToken("oat01");
  expect(heldTokens(config, { CLAUDE_CODE_OAUTH_TOKEN: fromEnv })).toEqual([fromEnv, rescued.accessToken, rescued.refreshToken, longLived]);
});
