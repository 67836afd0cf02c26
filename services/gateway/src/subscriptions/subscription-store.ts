import type { Bus } from "@tidings/bus";
import type { SqlClient } from "@tidings/db";
import {
  encodeAddDeltas,
  encodeSubscriptionDelta,
  type SubscriptionSpec,
  TidingsError,
} from "@tidings/protocol";
import { Batcher } from "@tidings/service";
import {
  deleteSubscriptions,
  insertSubscriptions,
  type SubscriptionRow,
} from "./subscription-rows.ts";

// Deltas stay well below NATS's default 1 MiB message limit.
const MAX_DELTA_BYTES = 256 * 1024;
const MAX_REMOVED_PER_DELTA = 5_000;

const unavailable = (cause: unknown) =>
  new TidingsError(
    "UNAVAILABLE",
    "Subscriptions cannot be announced right now; retry.",
    {},
    { cause },
  );

/**
 * Stores subscriptions (PostgreSQL, so a starting evaluator can load them) and announces them to
 * the evaluators (the subs stream). A subscription is acknowledged to its client only after the
 * announcement is stored in the stream: every event published later is evaluated with it.
 *
 * Concurrent calls are grouped (group commit): the subscriptions that arrive while one batch is
 * being stored go together in the next, as one multi-row insert and one `addMany` delta, so a
 * storm of subscribes costs a few round trips per batch instead of two per subscription.
 */
export class SubscriptionStore {
  readonly #sql: SqlClient;
  readonly #bus: Bus;
  // In a storm of subscribes, flushes at most every 10 ms: a round trip costs more than its rows.
  readonly #adds = new Batcher<SubscriptionRow, true>((items) => this.#store(items), {
    maxItems: 500,
    minIntervalMs: 10,
  });
  readonly #removes = new Batcher<string[], true>(async (batches) => {
    await this.#forget(batches.flat());
    return batches.map(() => true);
  });

  constructor(sql: SqlClient, bus: Bus) {
    this.#sql = sql;
    this.#bus = bus;
  }

  /** Stores and announces a subscription; undoes the store if the announcement fails. */
  async add(spec: SubscriptionSpec, userId: string | null): Promise<void> {
    await this.#adds.submit({ spec, userId });
  }

  /** Forgets subscriptions: stored rows first, then the evaluators. */
  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.#removes.submit(ids);
  }

  async #store(items: SubscriptionRow[]): Promise<(true | Error)[]> {
    const outcomes = await this.#insert(items);
    const stored = items.filter((_, i) => outcomes[i] === true).map((item) => item.spec);
    if (stored.length === 0) return outcomes;
    const published = await Promise.allSettled(
      encodeAddDeltas(stored, MAX_DELTA_BYTES).map((data) =>
        this.#bus.publish(this.#bus.subjects.subs, data),
      ),
    );
    const failure = published.find((result) => result.status === "rejected");
    if (!failure) return outcomes;
    // Some evaluators may have the part that was announced: undo it in both places.
    const ids = stored.map((spec) => spec.id);
    await deleteSubscriptions(this.#sql, ids);
    if (published.some((result) => result.status === "fulfilled"))
      await this.#announceRemoval(ids).catch(() => {});
    throw unavailable(failure.reason);
  }

  // One multi-row insert; if it fails, row by row, so one bad row (its connection swept away
  // meanwhile) fails alone.
  async #insert(rows: SubscriptionRow[]): Promise<(true | Error)[]> {
    try {
      await insertSubscriptions(this.#sql, rows);
      return rows.map(() => true);
    } catch (error) {
      if (rows.length === 1) return [error instanceof Error ? error : new Error(String(error))];
      const single = await Promise.allSettled(
        rows.map((row) => insertSubscriptions(this.#sql, [row])),
      );
      return single.map((result) =>
        result.status === "fulfilled"
          ? true
          : result.reason instanceof Error
            ? result.reason
            : new Error(String(result.reason)),
      );
    }
  }

  async #forget(ids: string[]): Promise<void> {
    await deleteSubscriptions(this.#sql, ids);
    await this.#announceRemoval(ids);
  }

  async #announceRemoval(ids: string[]): Promise<void> {
    try {
      for (let at = 0; at < ids.length; at += MAX_REMOVED_PER_DELTA) {
        const part = ids.slice(at, at + MAX_REMOVED_PER_DELTA);
        await this.#bus.publish(
          this.#bus.subjects.subs,
          encodeSubscriptionDelta({ v: 1, type: "remove", ids: part }),
        );
      }
    } catch (error) {
      throw unavailable(error);
    }
  }
}
