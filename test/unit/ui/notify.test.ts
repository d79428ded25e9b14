import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { notifyOnce } from "../../../src/ui/notify.ts";
import { DAY, HOUR, tempHome } from "../../helpers.ts";

describe("notifyOnce", () => {
  test("on macOS posts the notice at most once a day; elsewhere never", () => {
    const config = { stateDir: join(tempHome(), "state") };
    mkdirSync(config.stateDir, { recursive: true });
    const posted: string[] = [];
    const post = (line: string) => posted.push(line);
    const now = Date.now();
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now, "linux", post);
    expect(posted).toEqual([]);
    notifyOnce(config, null, now, "darwin", post);
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now, "darwin", post);
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now + HOUR, "darwin", post);
    expect(posted).toEqual(["Claude login has ended — run: iclaude refresh"]);
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now + DAY + 1, "darwin", post);
    expect(posted).toHaveLength(2);
  });

  test("a notice posted while the clock ran a day fast does not silence the next one", () => {
    const config = { stateDir: join(tempHome(), "state") };
    mkdirSync(config.stateDir, { recursive: true });
    const posted: string[] = [];
    const now = Date.now();
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now + DAY, "darwin", (line) => posted.push(line));
    notifyOnce(config, "iclaude: Claude login has ended — run: iclaude refresh\n", now, "darwin", (line) => posted.push(line));
    expect(posted).toHaveLength(2);
  });
});
