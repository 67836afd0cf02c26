/** Buckets per millisecond: latencies are kept to 0.1 ms. */
const RESOLUTION = 10;

/** A histogram in a form that crosses process boundaries (IPC, JSON). */
export interface SerializedHistogram {
  /** `[bucket, count]` pairs; a bucket is a latency in tenths of a millisecond. */
  buckets: [number, number][];
  count: number;
  max: number;
}

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Latencies of many deliveries in sparse 0.1 ms buckets: a worker records millions of deliveries
 * without keeping them, and the orchestrator merges the workers' histograms before reading
 * percentiles.
 */
export class LatencyHistogram {
  readonly #buckets = new Map<number, number>();
  #count = 0;
  #max = 0;

  record(ms: number): void {
    // A negative latency is clock jitter between processes (well under a millisecond): count it as 0.
    const bucket = Math.max(0, Math.round(ms * RESOLUTION));
    this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + 1);
    this.#count += 1;
    if (ms > this.#max) this.#max = ms;
  }

  merge(other: SerializedHistogram): void {
    for (const [bucket, count] of other.buckets)
      this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + count);
    this.#count += other.count;
    this.#max = Math.max(this.#max, other.max);
  }

  /** The latency below which a share `q` (0–1) of the deliveries fell; 0 when there were none. */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (const bucket of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      seen += this.#buckets.get(bucket) ?? 0;
      if (seen >= rank) return bucket / RESOLUTION;
    }
    return this.#max;
  }

  summary(): LatencySummary {
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      count: this.#count,
      p50: round(this.percentile(0.5)),
      p90: round(this.percentile(0.9)),
      p99: round(this.percentile(0.99)),
      max: round(this.#max),
    };
  }

  serialize(): SerializedHistogram {
    return { buckets: [...this.#buckets], count: this.#count, max: this.#max };
  }
}
