import { formatDuration } from "../../base/durations.ts";

export const validFor = (expiresAt: number | null): string =>
  expiresAt === null ? "expiry unknown" : `valid ${formatDuration((expiresAt - Date.now()) / 1000)}`;

/**
 * Resolves at SIGTERM or SIGINT. `on`, not `once`: proper-lockfile's
 * signal-exit re-raises a signal it finds no other listener for, which a
 * `once` listener has already stopped being.
 */
export const untilSignal = (): Promise<NodeJS.Signals> =>
  new Promise((resolve) => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => resolve(signal));
  });
