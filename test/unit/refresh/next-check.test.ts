import { describe, expect, setSystemTime, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../../src/base/config.ts";
import type { Assessment } from "../../../src/credentials/assessment.ts";
import { NEXT_CHECK } from "../../../src/edges/contract.ts";
import { isCheckDue } from "../../../src/refresh/check-due.ts";
import { nextCheck, writeSchedule } from "../../../src/refresh/next-check.ts";
import { noticeLine } from "../../../src/ui/words.ts";
import { DAY, HOUR, tempHome, writeCredentials } from "../../helpers.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const NOW_S = NOW / 1000;
const limits = { refreshMargin: 3600, threshold: 7 * 86400, cooldown: 30 };

function assessment(fields: Partial<Assessment>): Assessment {
  return {
    status: "valid",
    action: "none",
    source: "file",
    path: "/x",
    expiresAt: null,
    loginExpiresAt: null,
    scopes: [],
    subscriptionType: null,
    hasRefreshToken: true,
    accessToken: null,
    stored: null,
    refreshTokenDead: false,
    error: null,
    rescued: null,
    ended: null,
    ...fields,
  };
}

describe("nextCheck", () => {
  test("wakes when the access clock enters the margin", () => {
    expect(nextCheck(limits, assessment({ expiresAt: NOW + 90 * 60_000 }), NOW)).toBe(NOW_S + 30 * 60);
  });

  test("wakes at least hourly, so a new login or a change elsewhere is noticed", () => {
    expect(nextCheck(limits, assessment({ expiresAt: NOW + 8 * HOUR, loginExpiresAt: NOW + 30 * DAY }), NOW)).toBe(NOW_S + 3600);
    expect(nextCheck(limits, assessment({ source: "env", hasRefreshToken: false }), NOW)).toBe(NOW_S + 3600);
  });

  test("a due refresh is checked now, but never inside the cooldown after a failure", () => {
    const due = assessment({ status: "refresh-due", expiresAt: NOW + 10 * 60_000 });
    expect(nextCheck(limits, due, NOW)).toBe(NOW_S);
    expect(nextCheck(limits, due, NOW, NOW - 10_000)).toBe(NOW_S + 20);
  });

  test("wakes when the login clock enters the threshold", () => {
    const a = assessment({ hasRefreshToken: false, source: "long-lived", expiresAt: NOW + 7 * DAY + 1800_000, loginExpiresAt: NOW + 7 * DAY + 1800_000 });
    expect(nextCheck(limits, a, NOW)).toBe(NOW_S + 1800);
  });
});

describe("noticeLine", () => {
  test("speaks only when a person must act", () => {
    expect(noticeLine(assessment({ status: "login-expiring", loginExpiresAt: NOW + 3 * DAY }), NOW)).toBe(
      "iclaude: Claude login ends in 3 days — run: iclaude refresh",
    );
    expect(noticeLine(assessment({ status: "expired" }), NOW)).toBe("iclaude: Claude login has ended — run: iclaude refresh");
    expect(noticeLine(assessment({ status: "missing" }), NOW)).toBe("iclaude: no Claude login — run: claude /login");
    expect(noticeLine(assessment({ status: "valid" }), NOW)).toBeNull();
    expect(noticeLine(assessment({ status: "refresh-due" }), NOW)).toBeNull();
  });
});

describe("writeSchedule", () => {
  test("writes next-check and notice as one private line each, and removes the notice when all is well", () => {
    const home = tempHome();
    const config = loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: join(home, "state") });
    writeSchedule(config, assessment({ status: "expired" }));
    const nextCheckText = readFileSync(join(home, "state", "next-check"), "utf8");
    expect(nextCheckText).toMatch(/^\d{10}\n$/);
    expect(Number(nextCheckText)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3600);
    expect(readFileSync(join(home, "state", "notice"), "utf8")).toBe("iclaude: Claude login has ended — run: iclaude refresh\n");
    expect(statSync(join(home, "state", "notice")).mode & 0o777).toBe(0o600);
    writeSchedule(config, assessment({ status: "valid", expiresAt: Date.now() + 8 * HOUR }));
    expect(existsSync(join(home, "state", "notice"))).toBe(false);
    expect(readdirSync(join(home, "state")).sort()).toEqual(["next-check"]);
  });

  test("a time that did not change is not written again, but is touched when the credentials changed since", () => {
    const home = tempHome();
    const config = loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: join(home, "state") });
    const path = join(home, "state", "next-check");
    // Due for a refresh in half an hour: the same time at every write.
    const verdict = assessment({ expiresAt: Date.now() + 90 * 60_000 });
    writeSchedule(config, verdict);
    const long = new Date("2021-01-01");
    utimesSync(path, long, long);
    // No credentials changed since: left as it is (a broker under a flood writes nothing).
    writeSchedule(config, verdict);
    expect(statSync(path).mtimeMs).toBe(long.getTime());
    writeCredentials(home);
    // Touched within the very millisecond the credentials changed in (a ctime has finer ones than a Date).
    setSystemTime(new Date(Math.floor(statSync(config.credentialsPath).ctimeMs)));
    try {
      writeSchedule(config, verdict);
    } finally {
      setSystemTime();
    }
    expect(statSync(path).mtimeMs).toBeGreaterThan(statSync(config.credentialsPath).ctimeMs);
  });
});

describe("the notice over all profiles", () => {
  test("names a profile other than ~/.claude, with the command for it", () => {
    expect(noticeLine(assessment({ status: "expired" }), Date.now(), "/w")).toBe(
      "iclaude: Claude login in /w has ended — run: CLAUDE_CONFIG_DIR='/w' iclaude refresh",
    );
  });

  test("next-check is the earliest of all profiles; the notice is the most urgent one's", () => {
    const home = tempHome();
    const config = loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: join(home, "state") });
    const now = Date.now();
    writeSchedule(config, [
      { assessment: assessment({ expiresAt: now + 8 * HOUR }) },
      { assessment: assessment({ status: "login-expiring", expiresAt: now + 90 * 60_000, loginExpiresAt: now + 3 * DAY }), dir: "/w" },
      { assessment: assessment({ status: "expired", hasRefreshToken: false }), dir: "/x" },
    ]);
    expect(Number(readFileSync(join(home, "state", "next-check"), "utf8"))).toBe(Math.floor((now + 30 * 60_000) / 1000));
    expect(readFileSync(join(home, "state", "notice"), "utf8")).toBe("iclaude: Claude login in /x has ended — run: CLAUDE_CONFIG_DIR='/x' iclaude refresh\n");
  });

  test("a profile's failure holds back only its own check, past its own cooldown", () => {
    const home = tempHome();
    const config = loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: join(home, "state") });
    const now = Date.now();
    const due = assessment({ status: "refresh-due", expiresAt: now + 60_000 });
    writeSchedule(config, [
      { assessment: due, failedAt: now },
      { assessment: assessment({ expiresAt: now + 8 * HOUR }), dir: "/w" },
    ]);
    expect(Number(readFileSync(join(home, "state", "next-check"), "utf8"))).toBe(Math.ceil(now / 1000) + 30);
    writeSchedule(config, [
      { assessment: due, failedAt: now },
      { assessment: due, dir: "/w" },
    ]);
    expect(Number(readFileSync(join(home, "state", "next-check"), "utf8"))).toBe(Math.floor(now / 1000));
  });
});

describe("isCheckDue: next-check read as the shell hooks read it", () => {
  const stateOf = (text: string | null) => {
    const home = tempHome();
    const config = loadConfig({}, { HOME: home, ICLAUDE_STATE_DIR: join(home, "state") });
    if (text !== null) {
      mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
      writeFileSync(join(config.stateDir, NEXT_CHECK.file), text, { mode: 0o600 });
    }
    return config;
  };

  test("due when the time has come, not before", () => {
    expect(isCheckDue(stateOf(`${NOW_S + 600}\n`), NOW)).toBe(false);
    expect(isCheckDue(stateOf(`${NOW_S}\n`), NOW)).toBe(true);
    expect(isCheckDue(stateOf(`${NOW_S - 600}\n`), NOW)).toBe(true);
  });

  test("due when there is none, or what is there is not a time iclaude writes", () => {
    expect(isCheckDue(stateOf(null), NOW)).toBe(true);
    for (const garbage of ["", "soon\n", `${NOW_S + 600}x`, "9".repeat(13), `${NOW_S + 2 * 86400}\n`, `-${NOW_S}`]) {
      expect(isCheckDue(stateOf(garbage), NOW)).toBe(true);
    }
  });
});
