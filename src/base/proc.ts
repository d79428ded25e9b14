/** A pause on a plain timer. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * ICLAUDE_TEST_DELAY_SCALE, a number from 0 to 1 that shortens every back-off and polling pause (never a
 * budget or a deadline), so the tests of retries and lock waits take milliseconds. A test-only setting:
 * test/helpers.ts sets it for every run of the binary; anything else leaves the pauses as they are.
 */
function delayScale(): number {
  const raw = process.env.ICLAUDE_TEST_DELAY_SCALE;
  const scale = raw ? Number(raw) : 1;
  return scale >= 0 && scale <= 1 ? scale : 1;
}

/** A back-off or polling pause of `ms` as it is really waited: the decision to wait is the caller's, only the wait is scaled. */
export const scaledDelay = (ms: number): number => ms * delayScale();

/** A back-off or polling pause of `ms`. */
export const backoff = (ms: number): Promise<void> => sleep(scaledDelay(ms));
