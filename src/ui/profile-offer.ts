import type { Config } from "../base/config.ts";
import { messageOf } from "../base/errors.ts";
import { addProfile, profileToOffer, rememberProfileOffer } from "../credentials/profiles.ts";
import { log } from "./log.ts";
import { confirm, type Terminal } from "./terminal.ts";

/**
 * At a terminal, a CLAUDE_CONFIG_DIR that is not a profile is offered once:
 * never added without a yes, never asked about again whatever the answer.
 */
export async function offerProfileOnce(config: Config, terminal: Terminal): Promise<void> {
  let dir: string | null;
  try {
    dir = profileToOffer(config);
    if (dir === null) return;
    rememberProfileOffer(config, dir);
  } catch {
    // A damaged profiles file or state dir is reported where it matters (`iclaude profiles`), not here.
    return;
  }
  terminal.write(`iclaude keeps ~/.claude and the profiles you add alive, also with no shell open (\`iclaude schedule install\`).\n`);
  if (!(await confirm(terminal, `Add ${dir} (CLAUDE_CONFIG_DIR) to the profiles? [Y/n]`, true))) return;
  try {
    addProfile(dir);
    terminal.write(`added ${dir}; \`iclaude profiles remove ${dir}\` takes it out again.\n`);
  } catch (error) {
    log.warn(messageOf(error));
  }
}
