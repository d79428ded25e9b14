import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLAUDE_VERSIONS, type ClaudeHome, claudeEnv, makeClaudeHome } from "../fixtures/claude-home.ts";
import { type MockAnthropic, startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { BIN, waitFor } from "../helpers.ts";

let mock: MockAnthropic | undefined;
let home: ClaudeHome | undefined;
let tmux: ((...args: string[]) => string) | undefined;

afterEach(async () => {
  tmux?.("kill-server");
  await mock?.stop();
  await home?.cleanup();
});

const until = (check: () => boolean, what: string, ms = 15_000): Promise<void> =>
  waitFor(check, ms, () => `${what}; the pane shows:\n${tmux?.("capture-pane", "-p")}`);

for (const claude of CLAUDE_VERSIONS)
  test(`an interactive session under tmux is a real terminal for claude ${claude.version}: it draws its UI, keys and Ctrl-C reach it once`, async () => {
    mock = startMockAnthropic();
    home = await makeClaudeHome(mock, mock.issuePair());
    // The folder is trusted beforehand, so no version's trust dialog (or its default answer) is in the way.
    const trusted = { hasCompletedOnboarding: true, numStartups: 1, projects: { [home.home]: { hasTrustDialogAccepted: true } } };
    writeFileSync(join(home.home, ".claude.json"), JSON.stringify(trusted));
    const env = { ...claudeEnv(home, mock), TERM: "xterm-256color", ICLAUDE_CLAUDE_BIN: claude.bin, ICLAUDE_TOKEN_URL: mock.tokenUrl };
    const socket = join(home.home, "tmux.sock");
    const exitFile = join(home.home, "exit");
    tmux = (...args: string[]) => Bun.spawnSync(["tmux", "-S", socket, ...args], { env, timeout: 10_000 }).stdout.toString();
    const pane = () => tmux?.("capture-pane", "-p", "-S", "-200") ?? "";
    tmux("new-session", "-d", "-x", "100", "-y", "30", "-c", home.home, `'${BIN}'; echo "exit=$?" > '${exitFile}.new'; mv '${exitFile}.new' '${exitFile}'`);

    // The input box both versions draw: a rule, then the ❯ prompt.
    await until(() => /─\n❯/.test(pane()), "claude's prompt");
    expect(pane()).toContain(`Claude Code v${claude.version}`);
    tmux("send-keys", "hello there");
    await until(() => /❯\s*hello there/.test(pane()), "the typed text in claude's input");
    tmux("send-keys", "C-u");
    await until(() => !/❯\s*hello there/.test(pane()), "the input to clear");
    // One Ctrl-C only asks to confirm: a launcher that delivered it twice would end claude here.
    tmux("send-keys", "C-c");
    await until(() => pane().includes("Press Ctrl-C again to exit"), "claude's Ctrl-C confirmation");
    expect(existsSync(exitFile)).toBe(false);
    tmux("send-keys", "C-c");
    await until(() => existsSync(exitFile), "claude to exit");
    expect(readFileSync(exitFile, "utf8")).toBe("exit=0\n");
  }, 60_000);
