/**
 * Preloaded by bun test (bunfig.toml): hooks here span the whole run. bun test loads
 * test/helpers.ts once for every test file, so its clean-up belongs here, not in one file's afterAll.
 */
import { afterAll } from "bun:test";
import { removeTempHomes } from "./helpers.ts";

afterAll(removeTempHomes);
