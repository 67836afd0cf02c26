import type { Bus, BusStreamInfo } from "@tidings/bus";
import { TidingsError } from "@tidings/protocol";
import { Batcher, coalesce } from "@tidings/service";
import { RecentEvents } from "./recent-events.ts";
import { type ReplayRequest, replayBatch } from "./replay-batch.ts";

/** Options of an {@link EventHistory}. */
export interface EventHistoryOptions {
  /**
   * A resume from further back than this many seqs replays on its own, so that one client's old
   * position never holds up the many resuming near the end of the stream; also the number of
   * recent events kept per subject. @default 10000
   */
  sharedSpan?: number;
}

/**
 * The change stream as resuming subscribers read it, shared between them: when many resume at
 * once (the clients of a node that died reconnecting elsewhere), those waiting together share
 * one read of the stream's state and one read and one matching of the missed events per subject,
 * instead of a round trip or two each.
 */
export class EventHistory {
  readonly #bus: Bus;
  readonly #recent: RecentEvents;
  readonly #sharedSpan: number;
  readonly #batches = new Map<string, Batcher<ReplayRequest, number>>();
  /** The stream's state, read after the call (one read for all callers waiting together). */
  readonly #info: () => Promise<BusStreamInfo>;

  constructor(bus: Bus, options: EventHistoryOptions = {}) {
    this.#bus = bus;
    this.#sharedSpan = options.sharedSpan ?? 10_000;
    this.#recent = new RecentEvents(bus, { maxEvents: this.#sharedSpan });
    // Read for every subscribe: in a storm, at most every 10 ms.
    this.#info = coalesce(() => bus.info("events"), { minIntervalMs: 10 });
  }

  /** The stream's last seq, read after the call. */
  async end(): Promise<number> {
    return (await this.#info()).lastSeq;
  }

  /**
   * Throws `RESYNC_REQUIRED` unless every event after `seq` can be replayed: older ones may have
   * left the retained history, and a seq beyond the stream's end means the history itself was
   * reset (a single node restarted its in-process bus), so the client's position means nothing.
   */
  async assertResumable(seq: number): Promise<void> {
    const info = await this.#info();
    if (seq + 1 < info.firstSeq || seq > info.lastSeq) {
      throw new TidingsError(
        "RESYNC_REQUIRED",
        "The events after this seq cannot be replayed; refetch, then subscribe again.",
        { oldestSeq: info.firstSeq, lastSeq: info.lastSeq },
      );
    }
  }

  /** Sends `request` the changes it missed; resolves to how many it received. */
  async replay(request: ReplayRequest): Promise<number> {
    if (request.through <= request.after) return 0;
    const subject = this.#bus.subjects.eventFor(request.collection.id);
    if (request.through - request.after > this.#sharedSpan) {
      const [sent] = await replayBatch(this.#recent, subject, [request]);
      return sent ?? 0;
    }
    let batch = this.#batches.get(subject);
    if (!batch) {
      // Each flush reads the stream's new tail and matches every event from its oldest position
      // on: when a node's clients resume here (in a bench kill, 10,000 clients each about 1,400
      // events back), a flush at most every 100 ms takes about 100 of them per pass over the same
      // events instead of 13 (186 flushes instead of 1,588). A resume then waits at most 100 ms
      // more; one that finds the batcher idle goes at once.
      batch = new Batcher((requests) => replayBatch(this.#recent, subject, requests), {
        minIntervalMs: 100,
      });
      this.#batches.set(subject, batch);
    }
    return batch.submit(request);
  }
}
