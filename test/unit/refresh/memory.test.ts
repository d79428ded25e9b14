import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import {
  clearFailure,
  cooldownLeft,
  declinedRecently,
  launchOfferDue,
  recordFailure,
  rememberDecline,
  rememberLaunchOffer,
} from "../../../src/refresh/memory.ts";
import { DAY, tempHome } from "../../helpers.ts";

describe("cooldownLeft", () => {
  test("holds back the same refresh token for the cooldown, never a new one; another token's success keeps it", () => {
    const config = { stateDir: join(tempHome(), "state"), cooldown: 30 };
    const now = Date.now();
    expect(cooldownLeft(config, "token-a", now)).toBe(0);
    recordFailure(config, "token-a", "transient", now);
    expect(cooldownLeft(config, "token-a", now + 1000)).toBe(29);
    expect(cooldownLeft(config, "token-b", now + 1000)).toBe(0);
    expect(cooldownLeft(config, "token-a", now + 30_000)).toBe(0);
    clearFailure(config, "token-b");
    expect(cooldownLeft(config, "token-a", now + 1000)).toBe(29);
    clearFailure(config, "token-a");
    expect(cooldownLeft(config, "token-a", now + 1000)).toBe(0);
  });

  test("each profile has its own cooldown: another profile's failure never overwrites it", () => {
    const stateDir = join(tempHome(), "state");
    const personal = { stateDir, profileSuffix: "", cooldown: 30 };
    const work = { stateDir, profileSuffix: "-3f2a9c1e", cooldown: 30 };
    const now = Date.now();
    recordFailure(personal, "token-a", "transient", now);
    recordFailure(work, "token-b", "transient", now + 5000);
    expect(cooldownLeft(personal, "token-a", now + 10_000)).toBe(20);
    expect(cooldownLeft(work, "token-b", now + 10_000)).toBe(25);
    clearFailure(work, "token-b");
    expect([cooldownLeft(personal, "token-a", now + 10_000), cooldownLeft(work, "token-b", now + 10_000)]).toEqual([20, 0]);
  });
});

describe("a stamp written while the clock ran fast", () => {
  test("counts as long past: no cooldown, no day of silence after a decline or an offer", () => {
    const config = { stateDir: join(tempHome(), "state"), cooldown: 30 };
    const now = Date.now();
    recordFailure(config, "token-a", "transient", now + DAY);
    rememberDecline(config, now + DAY);
    rememberLaunchOffer(config, now + DAY);
    expect(cooldownLeft(config, "token-a", now)).toBe(0);
    expect(declinedRecently(config, now)).toBe(false);
    expect(launchOfferDue(config, now)).toBe(true);
    rememberDecline(config, now);
    rememberLaunchOffer(config, now);
    expect([declinedRecently(config, now + 1000), launchOfferDue(config, now + 1000)]).toEqual([true, false]);
  });
});
