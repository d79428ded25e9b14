import type { Config } from "../base/config.ts";
import { EXIT, IclaudeError } from "../base/errors.ts";
import { LONG_LIVED_PREFIX, LONG_LIVED_TOKEN } from "../base/secrets.ts";
import { writeLongLived } from "../credentials/store/long-lived.ts";
import { findClaude } from "../launcher/find.ts";
import { confirm, type Terminal } from "../ui/terminal.ts";
import { SETUP_TOKEN_WORDS } from "../ui/words.ts";

/*
 * The fallback is a conversation between the person and `claude setup-token`,
 * which iclaude only relays and listens in on: the terminal is handed in, the
 * words come from ui/.
 */

const YEAR_MS = 365 * 24 * 3600_000;
/** Claude's whole setup UI is a few kilobytes; anything beyond this is not kept. */
const CAPTURE_CAP = 1 << 20;

/**
 * The token `claude setup-token` printed, from its raw terminal output: ANSI
 * removed, and the line breaks the terminal put inside the token (it is wider
 * than most terminals) taken out. The token ends at the blank line Claude's UI
 * puts after it, or at the sentence that follows.
 */
export function extractToken(output: string): string | null {
  const text = Bun.stripANSI(output).replace(/\r/g, "");
  const start = text.lastIndexOf(LONG_LIVED_PREFIX);
  if (start < 0) return null;
  const rest = text.slice(start);
  const end = rest.search(/\n[ \t]*\n|Store this token/);
  const candidate = (end < 0 ? rest : rest.slice(0, end))
    .split("\n")
    .map((line) => line.trim())
    .join("");
  return LONG_LIVED_TOKEN.test(candidate) ? candidate : null;
}

const UNIT_MS: Record<string, number> = { year: 365 * 24 * 3600_000, day: 24 * 3600_000, hour: 3600_000, minute: 60_000 };

/**
 * How long claude says the token lasts: `Your OAuth token (valid for 1 year):` (2.1.197) or
 * `(valid for 30 days):` (2.1.332, the server's answer); a year when it says nothing readable.
 */
export function validForMs(output: string): number {
  const text = Bun.stripANSI(output).replace(/\s+/g, " ");
  const match = /valid for (\d+) (year|day|hour|minute)s?\b/.exec(text);
  return match ? Number(match[1]) * (UNIT_MS[match[2] ?? "year"] ?? YEAR_MS) : YEAR_MS;
}

/** The real claude, as the launcher finds it; without one, a person must log in by other means (exit 20). */
function realClaude(config: Config): string {
  try {
    return findClaude(config);
  } catch (error) {
    if (error instanceof IclaudeError) throw new IclaudeError(error.message, EXIT.loginRequired);
    throw error;
  }
}

/**
 * Runs `claude setup-token` in a pseudo-terminal the person uses as their own:
 * keys go in raw, output comes out as is, the window size follows theirs.
 * Resolves to everything it printed.
 */
async function runInPty(claude: string, terminal: Terminal): Promise<{ output: string; exitCode: number }> {
  const chunks: string[] = [];
  let kept = 0;
  const decoder = new TextDecoder();
  let closed!: () => void;
  const ptyClosed = new Promise<void>((resolve) => (closed = resolve));
  const { cols, rows } = terminal.size();
  const proc = Bun.spawn([claude, "setup-token"], {
    env: process.env,
    terminal: {
      cols,
      rows,
      data(_pty, data) {
        terminal.write(data);
        if (kept < CAPTURE_CAP) {
          kept += data.length;
          chunks.push(decoder.decode(data, { stream: true }));
        }
      },
      exit: () => closed(),
    },
  });
  const pty = proc.terminal;
  const stopRelay = terminal.relay(
    (chunk) => pty?.write(chunk),
    () => {
      const size = terminal.size();
      pty?.resize(size.cols, size.rows);
    },
  );
  try {
    const exitCode = await proc.exited;
    await Promise.race([ptyClosed, Bun.sleep(1000)]);
    return { output: chunks.join("") + decoder.decode(), exitCode };
  } finally {
    stopRelay();
    pty?.close();
  }
}

/**
 * The fallback: asks once, runs `claude setup-token`, and keeps the long-lived
 * token it prints in iclaude's own store until the end claude states. Claude Code's credentials
 * are never touched. False when the person declines; throws when the run
 * yields no token.
 */
export async function offerSetupToken(config: Config, expiring: boolean, terminal: Terminal): Promise<boolean> {
  terminal.write(`${SETUP_TOKEN_WORDS.why(expiring)}\n`);
  if (!(await confirm(terminal, SETUP_TOKEN_WORDS.question, false))) return false;
  const { output, exitCode } = await runInPty(realClaude(config), terminal);
  const token = extractToken(output);
  if (!token) {
    throw new IclaudeError(
      `\`claude setup-token\` ${exitCode === 0 ? "printed no token iclaude could read" : `exited ${exitCode} without a token`}; nothing was stored — run it yourself and set CLAUDE_CODE_OAUTH_TOKEN.`,
      EXIT.loginRequired,
    );
  }
  const now = Date.now();
  writeLongLived(config, { token, expiresAt: now + validForMs(output), createdAt: now });
  terminal.write(`${SETUP_TOKEN_WORDS.stored}\n`);
  return true;
}
