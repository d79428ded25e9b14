import { expect, test } from "bun:test";
import { join } from "node:path";
import { readRescue, saveRescue } from "../../../../src/credentials/store/rescue.ts";
import { fakeToken, HOUR, tempHome } from "../../../helpers.ts";

test("a rescued pair keeps everything the answer said, the login's new end included, for the store and spent token it names", () => {
  const config = { stateDir: join(tempHome(), "state") };
  const spent = fakeToken("ort01");
  const tokens = {
    accessToken: fakeToken("oat01"),
    refreshToken: fakeToken("ort01"),
    expiresAt: Date.now() + 8 * HOUR,
    scopes: ["user:inference"],
    refreshTokenExpiresAt: Date.now() + 720 * HOUR,
  };
  saveRescue(config, "/c/.credentials.json", spent, tokens);
  expect(readRescue(config, "/c/.credentials.json", spent)).toEqual(tokens);
  expect(readRescue(config, "/c/.credentials.json", "")).toEqual(tokens);
  expect(readRescue(config, "/c/.credentials.json", fakeToken("ort01"))).toBeNull();
  expect(readRescue(config, "/other/.credentials.json", spent)).toBeNull();
  const { refreshTokenExpiresAt: _, ...withoutEnd } = tokens;
  saveRescue(config, "/c/.credentials.json", spent, withoutEnd);
  expect(readRescue(config, "/c/.credentials.json", spent)).toEqual(withoutEnd);
});
