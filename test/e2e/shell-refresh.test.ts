import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startMockAnthropic } from "../fixtures/mock-anthropic.ts";
import { count, SHELLS, sandbox, terminal, writeRc } from "../fixtures/shell/harness.ts";
import { expectNoSecrets, waitFor, writeCredentials } from "../helpers.ts";

const mock = startMockAnthropic();
afterAll(() => mock.stop());

const PROMPT = "READY> ";
/** The prompt as tmux captures it: trailing blanks trimmed. */
const MARK = "READY>";
const MINUTE = 60_000;

describe("a due login in a real terminal", () => {
  for (const shell of SHELLS) {
    test(`${shell}: refreshed exactly once in the background, with nothing printed`, async () => {
      const box = await sandbox({ realBinary: true });
      writeRc(box, shell, { prompt: PROMPT });
      const old = mock.issuePair();
      writeCredentials(box.home, { ...old, expiresAt: Date.now() + 10 * MINUTE });
      const redeemedBefore = mock.redeemed.length;
      const term = terminal(box, shell, { ICLAUDE_TOKEN_URL: mock.tokenUrl });
      try {
        await waitFor(() => count(term.screen(), MARK) >= 1);
        for (let i = 0; i < 5; i++) term.type(":");
        await waitFor(() => mock.redeemed.length > redeemedBefore);
        const nextCheck = join(box.state, "next-check");
        await waitFor(() => existsSync(nextCheck) && Number(readFileSync(nextCheck, "utf8")) > Date.now() / 1000);
        for (let i = 0; i < 5; i++) term.type(":");
        term.type("echo done-typing");
        await waitFor(() => term.screen().includes("\ndone-typing"));
        await waitFor(() => count(term.screen(), MARK) >= 12);

        expect(mock.redeemed.slice(redeemedBefore)).toEqual([old.refreshToken]);
        const stored = JSON.parse(readFileSync(join(box.home, ".claude/.credentials.json"), "utf8"));
        expect(stored.claudeAiOauth.accessToken).not.toBe(old.accessToken);
        expect(stored.claudeAiOauth.expiresAt).toBeGreaterThan(Date.now() + 60 * MINUTE);

        const screen = term.screen();
        // The screen holds prompts, what was typed and the one echo; nothing else (no `[1] 12345`, no "Done").
        const residue = [MARK, "echo done-typing", "done-typing", ":"].reduce((text, known) => text.replaceAll(known, ""), screen);
        expect(residue.trim()).toBe("");
        expect(screen).not.toMatch(/\[\d+\]|Done|has ended/);
        expectNoSecrets(
          [screen, readFileSync(join(box.state, "iclaude.log"), "utf8")],
          [old.accessToken, old.refreshToken, stored.claudeAiOauth.accessToken, stored.claudeAiOauth.refreshToken],
        );
      } finally {
        term.close();
      }
    }, 45_000);
  }
});
