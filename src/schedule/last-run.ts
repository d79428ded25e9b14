import * as z from "zod/mini";
import type { Config } from "../base/config.ts";
import { writePrivateFile } from "../base/fs.ts";
import { ensureStateDir, pastStamp, readState, statePath } from "../base/state.ts";
import type { BackendName } from "./common.ts";

/** What a scheduler's last run did, kept in the state dir for `schedule status` and `check`. */
export interface LastRun {
  /** When the run ended, in ms. */
  at: number;
  /** One per profile: the dir and the line `refresh --all` printed for it. */
  profiles: { dir: string; line: string; failed: boolean }[];
}

const LastRunFile = z.object({
  at: z.number(),
  profiles: z.array(z.object({ dir: z.string(), line: z.string(), failed: z.boolean() })),
});

const fileName = (backend: BackendName): string => `last-run-${backend}.json`;

/** Records the run a scheduler just made; state is advisory, so a failure to write costs only this record. */
export function recordRun(config: Pick<Config, "stateDir">, backend: BackendName, run: LastRun): void {
  try {
    ensureStateDir(config);
    writePrivateFile(statePath(config, fileName(backend)), `${JSON.stringify(run)}\n`);
  } catch {
    // `schedule status` then says the last run it knows of.
  }
}

/** The last run this scheduler recorded; null when none, or when the record is damaged or stamped ahead of the clock. */
export function lastRun(config: Pick<Config, "stateDir">, backend: BackendName, now = Date.now()): LastRun | null {
  const text = readState(config, fileName(backend));
  if (text === null) return null;
  try {
    const parsed = LastRunFile.safeParse(JSON.parse(text));
    const at = parsed.success ? pastStamp(parsed.data.at, now) : null;
    return parsed.success && at !== null ? { at, profiles: parsed.data.profiles } : null;
  } catch {
    return null;
  }
}
