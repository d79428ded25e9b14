/**
 * Preloaded by bun test (bunfig.toml): hooks here span the whole run. bun test loads
 * test/helpers.ts once for every test file, so its clean-up belongs here, not in one file's afterAll.
 */
import { afterAll, setDefaultTimeout } from "bun:test";
import { removeTempHomes } from "./helpers.ts";

afterAll(removeTempHomes);

// End-to-end tests start real shells, git, tmux and claude: on a busy 2-core machine some take
// several seconds, past bun's default of 5 s (bunfig.toml has no key for it).
setDefaultTimeout(60_000);
