import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { notifiers, notifyOnce } from "../../../src/ui/notify.ts";
import { DAY, fakeToken, HOUR, tempHome } from "../../helpers.ts";

const NOTICE = "iclaude: Claude login has ended — run: iclaude refresh\n";

function recorder(name = "test", fails: string | null = null) {
  const posted: string[] = [];
  return {
    posted,
    notifier: {
      name,
      post: (line: string) => {
        posted.push(line);
        return fails;
      },
    },
  };
}

const stateConfig = (suffix = "") => {
  const config = { stateDir: join(tempHome(), "state"), profileSuffix: suffix, notifyCommand: undefined };
  mkdirSync(config.stateDir, { recursive: true });
  return config;
};

describe("notifyOnce", () => {
  test("posts a login's notice at most once a day, to every notifier", () => {
    const config = stateConfig();
    const a = recorder();
    const b = recorder();
    const now = Date.now();
    notifyOnce(config, null, now, [a.notifier, b.notifier]);
    notifyOnce(config, NOTICE, now, [a.notifier, b.notifier]);
    notifyOnce(config, NOTICE, now + HOUR, [a.notifier, b.notifier]);
    expect(a.posted).toEqual(["Claude login has ended — run: iclaude refresh"]);
    expect(b.posted).toEqual(a.posted);
    notifyOnce(config, NOTICE, now + DAY + 1, [a.notifier]);
    expect(a.posted).toHaveLength(2);
  });

  test("each profile has its own day", () => {
    const config = stateConfig();
    const other = { ...config, profileSuffix: "-1a2b3c4d" };
    const a = recorder();
    notifyOnce(config, NOTICE, Date.now(), [a.notifier]);
    notifyOnce(other, NOTICE, Date.now(), [a.notifier]);
    expect(a.posted).toHaveLength(2);
  });

  test("a notice posted while the clock ran a day fast does not silence the next one", () => {
    const config = stateConfig();
    const a = recorder();
    const now = Date.now();
    notifyOnce(config, NOTICE, now + DAY, [a.notifier]);
    notifyOnce(config, NOTICE, now, [a.notifier]);
    expect(a.posted).toHaveLength(2);
  });

  test("a failing notifier is one masked line in the state log, and the others still post", () => {
    const config = stateConfig();
    const token = fakeToken();
    const bad = recorder("broken", `exit 3: said ${token}`);
    const good = recorder();
    notifyOnce(config, `iclaude: leaked ${token}`, Date.now(), [bad.notifier, good.notifier]);
    expect(good.posted[0]).not.toContain(token);
    const log = readFileSync(join(config.stateDir, "iclaude.log"), "utf8");
    expect(log.trim().split("\n")).toHaveLength(1);
    expect(log).toContain("notify: broken failed (exit 3: said sk-ant-oat01-");
    expect(log).not.toContain(token);
  });
});

describe("notifiers", () => {
  test("Notification Centre on macOS, D-Bus on Linux with a session bus, and the user's command anywhere", () => {
    const names = (platform: NodeJS.Platform, env: Record<string, string>, notifyCommand?: string) =>
      notifiers({ notifyCommand }, platform, env).map((n) => n.name);
    expect(names("darwin", {})).toEqual(["Notification Centre"]);
    expect(names("linux", {})).toEqual([]);
    expect(names("linux", { DBUS_SESSION_BUS_ADDRESS: "unix:path=/x" })).toEqual(["D-Bus notification"]);
    expect(names("linux", {}, "ntfy publish me")).toEqual(["ICLAUDE_NOTIFY_COMMAND"]);
  });
});
