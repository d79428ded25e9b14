import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NEAR_MISSES } from "../fixtures/typos.ts";
import { expectNoSecrets, runBin, tempHome, writeCredentials } from "../helpers.ts";

/** A stand-in claude that records every start in a file, so a test can tell it never ran. */
function recordingClaude(home: string): { bin: string; log: string } {
  const bin = join(home, "claude");
  const log = join(home, "claude-ran");
  writeFileSync(bin, `#!/bin/sh\nprintf '[%s]' "$@" >>'${log}'\necho >>'${log}'\necho "claude ran"\n`, { mode: 0o755 });
  return { bin, log };
}

function setup() {
  // No "iclaude" in the path: the stand-in script names it, and a script naming iclaude reads as a loop.
  const home = tempHome("cli-");
  const content = writeCredentials(home) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
  const claude = recordingClaude(home);
  return { home, claude, env: { ICLAUDE_CLAUDE_BIN: claude.bin }, secrets: [content.claudeAiOauth.accessToken, content.claudeAiOauth.refreshToken] };
}

describe("the command line catches mistakes", () => {
  test("an unknown flag to an own command is exit 2 in one sentence, with a did-you-mean when one is close", async () => {
    const { home, env, secrets, claude } = setup();
    const cases: [string[], string][] = [
      [["refresh", "--forse"], "iclaude: `--forse` is not an option of `iclaude refresh`; did you mean `--force`?\n"],
      [["status", "--forse"], "iclaude: `--forse` is not an option of `iclaude status`; see `iclaude status --help`.\n"],
      [["refresh", "--frobnicate"], "iclaude: `--frobnicate` is not an option of `iclaude refresh`; see `iclaude refresh --help`.\n"],
      [["init", "zsh", "fish"], 'iclaude: `iclaude init` takes SHELL only, so "fish" is one too many; see `iclaude init --help`.\n'],
      [["refresh", "--lock-wait"], "iclaude: `--lock-wait` needs a value (like 30s); see `iclaude refresh --help`.\n"],
      [["status", "--json=yes"], "iclaude: `--json` takes no value; see `iclaude status --help`.\n"],
      [["hooks"], "iclaude: `iclaude hooks` needs a command: install or run; see `iclaude hooks --help`.\n"],
      [["hooks", "instal"], 'iclaude: `iclaude hooks` has no command "instal"; did you mean `iclaude hooks install`?\n'],
    ];
    for (const [args, stderr] of cases) {
      const run = await runBin(args, { home, env });
      expect({ args, ...run }).toEqual({ args, code: 2, stdout: "", stderr });
      expectNoSecrets([run.stdout, run.stderr], secrets);
    }
    expect(existsSync(claude.log)).toBe(false);
  });

  test("no colour codes on a stderr that is not a terminal, even with colours allowed", async () => {
    const { home } = setup();
    for (const args of [["refresh", "--forse"], ["hooks"], ["stauts"], ["status", "--threshold", "soon"]]) {
      const run = await runBin(args, { home, env: { NO_COLOR: undefined, TERM: "xterm-256color", FORCE_COLOR: "1" } });
      expect(run.code).toBe(2);
      expect(run.stderr).toStartWith("iclaude: ");
      expect(run.stderr).not.toContain("\x1b[");
    }
  });

  test("a near-miss of an own command is exit 2 with the suggestion, and claude is never started", async () => {
    const { home, env, claude } = setup();
    for (const [word, suggestion] of NEAR_MISSES) {
      const run = await runBin([word], { home, env });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`did you mean \`iclaude ${suggestion}\`?`);
      expect(run.stderr.split("\n").length).toBe(2);
    }
    expect(existsSync(claude.log)).toBe(false);
  });

  test("a real prompt, `--` and `run` still pass anything to claude", async () => {
    const { home, env, claude } = setup();
    for (const args of [["fix the test"], ["--", "stauts"], ["run", "stauts"], ["-p", "hi"], ["mcp", "list"]]) {
      const run = await runBin(args, { home, env });
      expect({ args, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ args, code: 0, stdout: "claude ran\n", stderr: "" });
    }
    expect(Bun.file(claude.log).text()).resolves.toBe("[fix the test]\n[stauts]\n[stauts]\n[-p][hi]\n[mcp][list]\n");
  });

  test("help, -h and help COMMAND show iclaude's help; a command's help has options, examples, environment and exit codes", async () => {
    const { home, env, claude } = setup();
    const top = await runBin(["--help"], { home, env });
    expect(top.code).toBe(0);
    for (const word of ["status", "refresh", "token", "init", "completion", "hooks", "run", "--version", "--refresh-token", "config.toml", "ICLAUDE_STATE_DIR"])
      expect(top.stdout).toContain(word);
    expect((await runBin(["-h"], { home, env })).stdout).toBe(top.stdout);
    expect((await runBin(["help"], { home, env })).stdout).toBe(top.stdout);

    const status = await runBin(["help", "status"], { home, env });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("USAGE\n  iclaude status [options]\n");
    expect(status.stdout).toContain("\n  -q, --quiet ");
    expect(status.stdout).toContain("EXAMPLES\n  $ iclaude status\n");
    expect(status.stdout).toContain("ENVIRONMENT\n  ICLAUDE_THRESHOLD ");
    expect(status.stdout).toContain("\n  14  invalid");
    expect(status.stdout).not.toMatch(/ +$/m);
    expect(status.stdout).not.toContain("\x1b[");
    expect((await runBin(["status", "--help"], { home, env })).stdout).toBe(status.stdout);
    expect((await runBin(["status", "-h"], { home, env })).stdout).toBe(status.stdout);
    expect((await runBin(["help", "hooks", "run"], { home, env })).stdout).toContain("USAGE\n  iclaude hooks run <");

    const unknown = await runBin(["help", "stauts"], { home, env });
    expect(unknown).toEqual({ code: 2, stdout: "", stderr: 'iclaude: There is no iclaude command "stauts"; did you mean `iclaude help status`?\n' });
    expect(existsSync(claude.log)).toBe(false);
  });
});

describe("stdout that cannot take the output", () => {
  // The reader closes its end first and only then lets iclaude start: every write meets EPIPE, no race.
  const readerGone = (argv: string[]): string[] => [
    "/bin/bash",
    "-c",
    'go=$(mktemp -u); mkfifo "$go"; { read -r _ <"$go"; "$0" "$@"; echo "exit $?" >&2; } | { exec 0<&-; echo >"$go"; }; rm -f "$go"',
    ...argv,
  ];
  const fullDisk = (argv: string[]): string[] => ["/bin/sh", "-c", '"$0" "$@" >/dev/full', ...argv];

  test("a reader that went away (`| head`) is no failure: the command's own exit code, nothing said", async () => {
    const { home, env, secrets } = setup();
    for (const [args, code] of [
      [["--help"], 0],
      [["--version"], 0],
      [["status"], 0],
      [["status", "--json"], 0],
      [["profiles"], 0],
      [["completion", "zsh"], 0],
    ] as const) {
      const run = await runBin([...args], { home, env, argv: readerGone });
      expect({ args, ...run }).toEqual({ args, code: 0, stdout: "", stderr: `exit ${code}\n` });
      expectNoSecrets([run.stderr], secrets);
    }
  });

  test("a full disk is said in one sentence, exit 74 where the run would have succeeded; a code of its own stands", async () => {
    const { home, env } = setup();
    const full = "iclaude: Cannot write to stdout: no space left on the device.\n";
    for (const args of [["--version"], ["help", "status"], ["status"], ["profiles", "--json"], ["init", "bash"]]) {
      const run = await runBin(args, { home, env, argv: fullDisk });
      expect({ args, ...run }).toEqual({ args, code: 74, stdout: "", stderr: full });
    }
    // No login: status's verdict and refresh's failure are still told, the lost output said after them.
    const empty = tempHome("cli-");
    expect(await runBin(["status"], { home: empty, env, argv: fullDisk })).toEqual({ code: 13, stdout: "", stderr: full });
    const refresh = await runBin(["refresh", "--json"], { home: empty, env, argv: fullDisk });
    expect(refresh.code).toBe(20);
    expect(refresh.stderr).toEndWith(`log in with \`claude /login\`.\n${full}`);
  });
});
