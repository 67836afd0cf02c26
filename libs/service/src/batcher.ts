/** Options of a {@link Batcher}. */
export interface BatcherOptions {
  /** Most items one flush takes; the rest wait for the next flush. @default 1000 */
  maxItems?: number;
  /**
   * Shortest time between the starts of two flushes. Under a steady stream of items a flush then
   * carries all that came in meanwhile, for at most this much more latency; an item that finds the
   * batcher idle this long after the last flush goes at once. Worth it where each flush is a round
   * trip whose fixed cost (a system call and a wake-up on each side) outweighs its rows. @default 0
   */
  minIntervalMs?: number;
}

/**
 * Flushes a batch: resolves to one result per item, in order. An `Error` in an item's place
 * fails that item alone; a rejection fails the whole batch.
 */
export type FlushBatch<I, O> = (items: I[]) => Promise<(O | Error)[]>;

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: concurrent callers share round trips without waiting for a timer. While a flush is
 * in flight, new items queue; when it ends, the next flush takes all of them (up to `maxItems`).
 * An item that finds the batcher idle is flushed right away — after the I/O callbacks of the
 * current turn of the event loop, so callers woken by the same network read still go together —
 * so at low load nothing waits. Each flush starts after every item in it was submitted: a flush
 * that reads state (a stream position) reads it after each caller's earlier writes.
 */
export class Batcher<I, O> {
  readonly #flush: FlushBatch<I, O>;
  readonly #maxItems: number;
  readonly #minIntervalMs: number;
  #lastStart = Number.NEGATIVE_INFINITY;
  #queue: Waiting<I, O>[] = [];
  #running = false;

  constructor(flush: FlushBatch<I, O>, options: BatcherOptions = {}) {
    this.#flush = flush;
    this.#maxItems = Math.max(1, options.maxItems ?? 1_000);
    this.#minIntervalMs = Math.max(0, options.minIntervalMs ?? 0);
  }

  /** Items waiting for a flush (not counting the one in flight). */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Adds `item` to the next flush; resolves with its result. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#running) return;
      this.#running = true;
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const early = this.#lastStart + this.#minIntervalMs - Date.now();
      if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
      this.#lastStart = Date.now();
      const batch = this.#queue.splice(0, this.#maxItems);
      try {
        const results = await this.#flush(batch.map((waiting) => waiting.item));
        if (results.length !== batch.length)
          throw new Error(`a flush of ${batch.length} items answered ${results.length}`);
        batch.forEach((waiting, i) => {
          const result = results[i] as O | Error;
          if (result instanceof Error) waiting.reject(result);
          else waiting.resolve(result);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.#running = false;
  }
}

/**
 * Shares one read among concurrent callers: each gets the result of a read that started after it
 * called (so it sees whatever the caller wrote before), and calls that overlap one read in flight
 * share the next.
 */
export function coalesce<T>(
  read: () => Promise<T>,
  options: Pick<BatcherOptions, "minIntervalMs"> = {},
): () => Promise<T> {
  const batcher = new Batcher<void, T>(
    async (items) => {
      const value = await read();
      return items.map(() => value);
    },
    { ...options, maxItems: Number.POSITIVE_INFINITY },
  );
  return () => batcher.submit(undefined);
}
