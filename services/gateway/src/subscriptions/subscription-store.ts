import type { Bus } from "@tidings/bus";
import { rowFromSpec } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import {
  encodeSubscriptionDelta,
  type SubscriptionDelta,
  type SubscriptionSpec,
  TidingsError,
} from "@tidings/protocol";

/**
 * Stores subscriptions (PostgreSQL, so a starting evaluator can load them) and announces them to
 * the evaluators (the subs stream). A subscription is acknowledged to its client only after the
 * announcement is stored in the stream: every event published later is evaluated with it.
 */
export class SubscriptionStore {
  readonly #prisma: PrismaClient;
  readonly #bus: Bus;

  constructor(prisma: PrismaClient, bus: Bus) {
    this.#prisma = prisma;
    this.#bus = bus;
  }

  async #announce(delta: SubscriptionDelta): Promise<void> {
    try {
      await this.#bus.publish(this.#bus.subjects.subs, encodeSubscriptionDelta(delta));
    } catch (error) {
      throw new TidingsError(
        "UNAVAILABLE",
        "Subscriptions cannot be announced right now; retry.",
        {},
        { cause: error },
      );
    }
  }

  /** Stores and announces a subscription; undoes the store if the announcement fails. */
  async add(spec: SubscriptionSpec, userId: string | null): Promise<void> {
    await this.#prisma.realtimeSubscription.create({ data: rowFromSpec(spec, userId) });
    try {
      await this.#announce({ v: 1, type: "add", subscription: spec });
    } catch (error) {
      await this.#prisma.realtimeSubscription.deleteMany({ where: { id: spec.id } });
      throw error;
    }
  }

  /** Forgets subscriptions: stored rows first, then the evaluators. */
  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#prisma.realtimeSubscription.deleteMany({ where: { id: { in: ids } } });
    await this.#announce({ v: 1, type: "remove", ids });
  }
}
