import type { Bus } from "@tidings/bus";
import { type ChangeEventMessage, decodeChangeEvent } from "@tidings/protocol";

const PAGE = 1_000;

/** A change event as read from the stream: undefined when it does not decode (the evaluators park it). */
export interface StoredEvent {
  seq: number;
  event: ChangeEventMessage | undefined;
}

interface Window {
  /** Every event of the subject with a seq in [lo, hi] is in `events`, in order. */
  lo: number;
  hi: number;
  events: StoredEvent[];
  usedAt: number;
}

/** Options of {@link RecentEvents}. */
export interface RecentEventsOptions {
  /** Events kept per subject; the oldest go first. @default 10000 */
  maxEvents?: number;
  /** A subject's events are dropped when nobody read them for this long. @default 30000 */
  idleMs?: number;
}

// Index of the first event with a seq at or above `seq` (events are in seq order).
function firstAtOrAfter(events: StoredEvent[], seq: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((events[middle] as StoredEvent).seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The change events resuming subscribers read, kept decoded for a while per subject: when a node
 * dies, its clients resume elsewhere over some seconds, from positions near the end of the stream;
 * the first reads fill the window and the rest are served from it (and extend it as the stream
 * grows), so each event is read from the bus and decoded once instead of once per resume.
 */
export class RecentEvents {
  readonly #bus: Bus;
  readonly #maxEvents: number;
  readonly #idleMs: number;
  readonly #windows = new Map<string, Window>();
  #sweeper: NodeJS.Timeout | undefined;

  constructor(bus: Bus, options: RecentEventsOptions = {}) {
    this.#bus = bus;
    this.#maxEvents = options.maxEvents ?? 10_000;
    this.#idleMs = options.idleMs ?? 30_000;
  }

  /**
   * The events of `subject` from `from` on, up to `to`: the next page, and the last seq it
   * covers (every event of the subject up to it is in the page).
   */
  async page(
    subject: string,
    from: number,
    to: number,
  ): Promise<{ events: StoredEvent[]; through: number }> {
    const known = this.#windows.get(subject);
    if (known && known.lo <= from && from <= known.hi) {
      known.usedAt = Date.now();
      const through = Math.min(to, known.hi);
      const start = firstAtOrAfter(known.events, from);
      const end = firstAtOrAfter(known.events, through + 1);
      return { events: known.events.slice(start, end), through };
    }
    const records = await this.#bus.read(subject, from, { toSeq: to, limit: PAGE });
    const through = records.length === PAGE ? (records.at(-1)?.seq ?? to) : to;
    const events = records.map((record): StoredEvent => {
      try {
        return { seq: record.seq, event: decodeChangeEvent(record.data) };
      } catch {
        return { seq: record.seq, event: undefined };
      }
    });
    this.#keep(subject, { lo: from, hi: through, events, usedAt: Date.now() });
    return { events, through };
  }

  // Joins the new range to the subject's window when they touch; otherwise the newer one stays.
  #keep(subject: string, range: Window): void {
    const window = this.#windows.get(subject);
    let kept = range;
    if (window && range.lo <= window.hi + 1 && window.lo <= range.hi + 1) {
      const merged = new Map<number, StoredEvent>();
      for (const e of [...window.events, ...range.events]) merged.set(e.seq, e);
      kept = {
        lo: Math.min(window.lo, range.lo),
        hi: Math.max(window.hi, range.hi),
        events: [...merged.values()].sort((a, b) => a.seq - b.seq),
        usedAt: range.usedAt,
      };
    } else if (window && window.hi > range.hi) return;
    const excess = kept.events.length - this.#maxEvents;
    if (excess > 0) {
      kept.lo = (kept.events[excess - 1] as StoredEvent).seq + 1;
      kept.events = kept.events.slice(excess);
    }
    this.#windows.set(subject, kept);
    this.#sweeper ??= setInterval(() => this.#sweep(), this.#idleMs).unref();
  }

  #sweep(): void {
    for (const [subject, window] of this.#windows)
      if (Date.now() - window.usedAt >= this.#idleMs) this.#windows.delete(subject);
    if (this.#windows.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
