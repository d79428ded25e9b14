import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeSystemctl } from "../fixtures/fake-systemctl.ts";
import { HOUR, linkBinary, type Run, runBin, tempHome, waitFor, writeCredentials } from "../helpers.ts";

/* `iclaude broker install|status|remove`: `broker serve` as a user service, written as the schedule's units are. */

/** A home whose iclaude sits at a path with a space and an ampersand, to prove every unit quotes it. */
function homeWithBinary(): { home: string; bin: string } {
  const home = tempHome();
  return { home, bin: linkBinary(join(home, "my bin & co", "iclaude")) };
}

function broker(home: string, bin: string, args: string[], env: Record<string, string> = {}): Run {
  const proc = Bun.spawnSync([bin, "broker", ...args], {
    cwd: home,
    env: { HOME: home, PATH: "/usr/local/bin:/usr/bin:/bin", USER: "tester", NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: proc.exitCode ?? 1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

const unitDir = (home: string) => join(home, ".config", "systemd", "user");
const unit = (home: string) => join(unitDir(home), "iclaude-broker.service");

/** ExecStart as systemd reads it: a double-quoted executable (`%%` is one `%`), then plain words. */
function execStart(service: string): string[] {
  const quoted = /^ExecStart="((?:[^"\\]|\\.)*)" (.*)$/m.exec(service);
  if (!quoted) throw new Error(`ExecStart not understood in:\n${service}`);
  return [(quoted[1] ?? "").replaceAll("%%", "%"), ...(quoted[2] ?? "").split(" ")];
}

describe("broker install --systemd", () => {
  test("writes the service once; systemd-analyze verify accepts it; status names it; remove takes out only it", () => {
    const { home, bin } = homeWithBinary();
    const first = broker(home, bin, ["install", "--systemd"]);
    expect([first.code, first.stderr]).toEqual([0, ""]);
    expect(first.stdout).toBe(
      `systemd: wrote ${unit(home)}\nsystemd: the user manager is not reachable here; once it is, run: systemctl --user daemon-reload && systemctl --user enable --now iclaude-broker.service\n`,
    );
    const service = readFileSync(unit(home), "utf8");
    expect(execStart(service)).toEqual([bin, "broker", "serve"]);
    expect(service).toContain("Restart=on-failure\n");
    expect(broker(home, bin, ["install", "--systemd"]).stdout).toStartWith(`systemd: ${unit(home)} already installed\n`);
    expect(readFileSync(unit(home), "utf8")).toBe(service);

    const runtime = join(home, "run");
    mkdirSync(runtime, { mode: 0o700 });
    const verify = Bun.spawnSync(["systemd-analyze", "--user", "verify", unit(home)], {
      env: { HOME: home, PATH: "/usr/bin:/bin", XDG_RUNTIME_DIR: runtime },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect([verify.exitCode, verify.stderr.toString()]).toEqual([0, ""]);

    expect(broker(home, bin, ["status"]).stdout).toBe(`systemd: installed (${unit(home)}) — not loaded: the user manager is not reachable here\n`);
    writeFileSync(join(unitDir(home), "other.service"), "[Service]\nExecStart=/bin/true\n");
    expect(broker(home, bin, ["remove"]).stdout).toBe(`systemd: removed ${unit(home)}\n`);
    expect(readFileSync(join(unitDir(home), "other.service"), "utf8")).toContain("/bin/true");
    expect(broker(home, bin, ["remove"]).stdout).toBe("no broker service of iclaude's was installed\n");
    expect(broker(home, bin, ["status"]).stdout).toStartWith("no broker service installed; `iclaude broker install` adds one");
  });

  test("a unit of that name iclaude did not write is neither replaced nor removed", () => {
    const { home, bin } = homeWithBinary();
    mkdirSync(unitDir(home), { recursive: true });
    writeFileSync(unit(home), "[Service]\nExecStart=/bin/true\n");
    const run = broker(home, bin, ["install", "--systemd"]);
    expect([run.code, run.stderr]).toEqual([
      2,
      `iclaude: ${unit(home)} exists and was not written by iclaude; move it away and run \`iclaude broker install\` again.\n`,
    ]);
    expect(broker(home, bin, ["remove", "--systemd"]).stdout).toBe(`systemd: left ${unit(home)} alone: iclaude did not write it\n`);
    expect(readFileSync(unit(home), "utf8")).toBe("[Service]\nExecStart=/bin/true\n");
  });

  test("with a user manager to talk to, install enables and starts it once, and remove stops it", () => {
    const { home, bin } = homeWithBinary();
    const { env, calls, callsSince } = fakeSystemctl(home, "iclaude-broker.service");
    expect(broker(home, bin, ["install"], env).stdout).toContain("systemd: iclaude-broker.service enabled and started\n");
    expect(callsSince(0)).toEqual(["--user daemon-reload", "--user enable --now iclaude-broker.service", "--user restart iclaude-broker.service"]);
    const seen = calls();
    broker(home, bin, ["install"], env);
    expect(callsSince(seen)).toEqual(["--user is-active --quiet iclaude-broker.service"]);
    expect(broker(home, bin, ["status", "--systemd"], env).stdout).toBe(`systemd: installed (${unit(home)}) — service active\n`);
    const before = calls();
    broker(home, bin, ["remove", "--systemd"], env);
    expect(callsSince(before)).toEqual(["--user disable --now iclaude-broker.service", "--user daemon-reload"]);
  });

  test("the service's ExecStart, run as systemd runs it (nothing but HOME), serves the login on the default socket", async () => {
    const { home, bin } = homeWithBinary();
    const login = writeCredentials(home, { expiresAt: Date.now() + 5 * HOUR }) as { claudeAiOauth: { accessToken: string } };
    broker(home, bin, ["install", "--systemd"]);
    const argv = execStart(readFileSync(unit(home), "utf8"));
    const served = Bun.spawn(argv, { cwd: "/", env: { HOME: home }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const socket = join(home, ".local", "state", "iclaude", "broker", "broker.sock");
    let log = "";
    void (async () => {
      for await (const chunk of served.stderr) log += new TextDecoder().decode(chunk);
    })();
    await waitFor(
      () => log.includes(`on ${socket}\n`),
      15_000,
      () => `the service to serve on ${socket}; it said:\n${log}`,
    );
    const box = await runBin(["token", "--broker", socket], { home: tempHome("iclaude-box-") });
    expect([box.code, box.stdout]).toEqual([0, `${login.claudeAiOauth.accessToken}\n`]);
    served.kill("SIGTERM");
    expect(await served.exited).toBe(0);
  });
});

describe("broker install --launchd", () => {
  test("writes a LaunchAgent that runs `broker serve` from this binary and keeps it alive; remove takes it out", () => {
    const { home, bin } = homeWithBinary();
    const run = broker(home, bin, ["install", "--launchd"]);
    const plist = join(home, "Library", "LaunchAgents", "dev.iclaude.broker.plist");
    expect(run.stdout).toStartWith(`launchd: wrote ${plist}\n`);
    const parsed = Bun.spawnSync(["python3", "-c", "import plistlib,json,sys; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", plist], {
      stdout: "pipe",
    });
    expect(JSON.parse(parsed.stdout.toString())).toEqual({
      Label: "dev.iclaude.broker",
      ProgramArguments: [bin, "broker", "serve"],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ProcessType: "Background",
    });
    expect(broker(home, bin, ["remove", "--launchd"]).stdout).toBe(`launchd: removed ${plist}\n`);
  });
});

test("broker install with both --systemd and --launchd is a usage error", async () => {
  const run = await runBin(["broker", "install", "--systemd", "--launchd"], { home: tempHome() });
  expect([run.code, run.stderr]).toEqual([2, "iclaude: Choose one of --systemd, --launchd, not both.\n"]);
});
