/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A level-triggered wake-up: `wait()` resolves at the next `notify()`, or after `ms`. */
export class Notifier {
  #waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== wake);
        resolve();
      }, ms);
      this.#waiters.push(wake);
    });
  }
}

/** Retry delay for the n-th consecutive failure of a background loop: 100 ms doubling to 2 s. */
export function retryDelay(failures: number): number {
  // Capped low: after an outage every loop should be back within a couple of seconds.
  return Math.min(100 * 2 ** Math.max(failures - 1, 0), 2_000);
}
