/** Event names mapped to their listener arguments. */
export type EventMap = Record<string, unknown[]>;

/** A listener of event `K`. */
export type Listener<E extends EventMap, K extends keyof E> = (...args: E[K]) => void;

/**
 * A small typed event emitter (no dependency on Node's `events`, so it runs in browsers). A
 * listener that throws does not stop the others, nor the client's own bookkeeping: the error is
 * rethrown on a fresh stack, where the runtime reports it as uncaught.
 */
export class Emitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<Listener<E, keyof E>>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E, K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<E, keyof E>);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof E>(event: K, listener: Listener<E, K>): void {
    this.#listeners.get(event)?.delete(listener as Listener<E, keyof E>);
  }

  protected emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      callSafely(() => listener(...args));
    }
  }
}

/** Runs application code; an exception it throws is reported without unwinding the caller. */
export function callSafely(run: () => void): void {
  try {
    run();
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}
