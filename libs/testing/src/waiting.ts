/** Waits; long enough for what should NOT arrive to have had its chance by default. */
export const pause = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it passes or the time is up (then its last error is thrown). */
export async function eventually(check: () => unknown, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await pause(20);
    }
  }
}
