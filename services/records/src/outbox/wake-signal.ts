/** A wake-up call that may come before anyone waits for it: one pending wake is remembered. */
export class WakeSignal {
  #pending = false;
  #resolve: (() => void) | undefined;

  /** Wakes the waiter now, or the next one to wait. */
  wake = (): void => {
    if (this.#resolve) {
      const resolve = this.#resolve;
      this.#resolve = undefined;
      resolve();
    } else {
      this.#pending = true;
    }
  };

  /** Resolves on the next wake (or at once if one is pending), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#resolve = undefined;
        resolve();
      }, ms);
      this.#resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
