import type { Bus } from "@tidings/bus";
import { decodeStatusNotice, STATUS_TOPIC, type StatusNotice } from "@tidings/service";

/** A process is forgotten once this many of its heartbeats (and half of another) failed to come. */
const MISSED_BEATS = 3.5;

/** The last heartbeat of a live process, and when it arrived. */
export interface ProcessStatus {
  readonly notice: StatusNotice;
  readonly lastSeen: Date;
}

/**
 * The latest status heartbeat of every process of the cluster, as heard on the bus. A process is
 * forgotten when it says goodbye, or when it has been silent for 3½ of its own intervals (it
 * died, or lost its NATS connection). Malformed notices are ignored.
 */
export class StatusBoard {
  readonly #now: () => number;
  readonly #latest = new Map<string, { notice: StatusNotice; seenAt: number }>();

  /** @param now the clock. @default Date.now */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Listens to the heartbeats on `bus` (running); returns the function that stops listening. */
  follow(bus: Bus): () => void {
    return bus.onNotice(STATUS_TOPIC, (data) => this.receive(data));
  }

  /** Takes one notice in. */
  receive(data: Uint8Array): void {
    const notice = decodeStatusNotice(data);
    if (!notice) return;
    if (notice.type === "goodbye") this.#latest.delete(notice.id);
    else this.#latest.set(notice.id, { notice, seenAt: this.#now() });
    this.#forgetSilent();
  }

  /** Every live process, by service then id. */
  processes(): ProcessStatus[] {
    this.#forgetSilent();
    return [...this.#latest.values()]
      .map(({ notice, seenAt }) => ({ notice, lastSeen: new Date(seenAt) }))
      .sort(
        (a, b) =>
          a.notice.service.localeCompare(b.notice.service) ||
          a.notice.id.localeCompare(b.notice.id),
      );
  }

  #forgetSilent(): void {
    const now = this.#now();
    for (const [id, { notice, seenAt }] of this.#latest) {
      if (now - seenAt > MISSED_BEATS * notice.intervalMs) this.#latest.delete(id);
    }
  }
}
