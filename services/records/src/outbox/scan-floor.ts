/** How far back a relay round reads. */
export interface ScanFloorOptions {
  /** A round reads the rows above the highest seq seen at least this long ago. @default 5000 */
  lookbackMs?: number;
  /** Every this often a round reads the whole outbox instead. @default 30000 */
  fullScanMs?: number;
}

/**
 * Where a relay round starts reading unsent rows. Marking a row sent leaves a dead entry in the
 * index of unsent rows until the table is vacuumed, and a round that reads from the start walks
 * them all: at 300 writes/s that was most of the relay statement's cost, more than the writes'.
 * So a round reads only above the highest seq seen `lookbackMs` ago. A row whose seq was drawn
 * before that but whose transaction commits later (a write slower than the lookback) is not lost:
 * every `fullScanMs`, and first of all, a round reads from the start.
 */
export class ScanFloor {
  readonly #lookbackMs: number;
  readonly #fullScanMs: number;
  /** The highest seq seen by each time, oldest first; seqs and times both increase. */
  #seen: { at: number; seq: bigint }[] = [];
  #lastFullScan = Number.NEGATIVE_INFINITY;

  constructor(options: ScanFloorOptions = {}) {
    this.#lookbackMs = options.lookbackMs ?? 5_000;
    this.#fullScanMs = options.fullScanMs ?? 30_000;
  }

  /** The seq the next round reads above (0: the whole outbox). */
  next(now = Date.now()): bigint {
    if (now - this.#lastFullScan >= this.#fullScanMs) {
      this.#lastFullScan = now;
      return 0n;
    }
    // The newest entry old enough is the floor; anything older is of no further use. Until one is
    // (the first seconds of leading), rounds read the whole outbox.
    const cutoff = now - this.#lookbackMs;
    const newer = this.#seen.findIndex((entry) => entry.at > cutoff);
    const floor = (newer === -1 ? this.#seen.length : newer) - 1;
    const entry = this.#seen[floor];
    if (!entry) return 0n;
    this.#seen = this.#seen.slice(floor);
    return entry.seq;
  }

  /** A round read rows up to `seq`. */
  saw(seq: bigint, now = Date.now()): void {
    const last = this.#seen.at(-1);
    if (last && seq <= last.seq) return;
    // One entry per millisecond is plenty; rounds are at least 5 ms apart anyway.
    if (last && last.at === now) last.seq = seq;
    else this.#seen.push({ at: now, seq });
  }
}
