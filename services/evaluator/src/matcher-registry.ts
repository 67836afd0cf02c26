import { collectionFromRow } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import type { SubscriptionDelta, SubscriptionSpec } from "@tidings/protocol";
import { CollectionMatcher } from "./collection-matcher.ts";

/**
 * Every collection's matcher, kept in step with the subscriptions (deltas) and with the
 * collections themselves (checked against the database before each batch, so a rule change
 * applies to the next event).
 */
export class MatcherRegistry {
  readonly #prisma: PrismaClient;
  readonly #matchers = new Map<string, CollectionMatcher>();

  constructor(prisma: PrismaClient) {
    this.#prisma = prisma;
  }

  get(collectionId: string): CollectionMatcher | undefined {
    return this.#matchers.get(collectionId);
  }

  /** Number of indexed subscriptions, over all collections. */
  get size(): number {
    let total = 0;
    for (const matcher of this.#matchers.values()) total += matcher.size;
    return total;
  }

  async #matcherFor(collectionId: string): Promise<CollectionMatcher | undefined> {
    const known = this.#matchers.get(collectionId);
    if (known) return known;
    const row = await this.#prisma.collection.findUnique({ where: { id: collectionId } });
    if (!row) return undefined;
    const matcher = new CollectionMatcher(collectionFromRow(row));
    this.#matchers.set(collectionId, matcher);
    return matcher;
  }

  /** Adds a subscription; returns its channel when it is stale (or its collection is gone). */
  async add(spec: SubscriptionSpec): Promise<string | undefined> {
    let matcher = await this.#matcherFor(spec.collectionId);
    if (matcher && spec.rulesVersion > matcher.version) {
      // The gateway saw a newer definition than ours: catch up before judging the channel.
      await this.refresh([spec.collectionId]);
      matcher = this.#matchers.get(spec.collectionId);
    }
    if (!matcher) return spec.channel;
    return matcher.add(spec) ? undefined : spec.channel;
  }

  /** Applies a delta; returns the channels to tell to subscribe again. */
  async apply(delta: SubscriptionDelta): Promise<string[]> {
    if (delta.type === "remove") {
      for (const matcher of this.#matchers.values()) for (const id of delta.ids) matcher.remove(id);
      return [];
    }
    const stale = await this.add(delta.subscription);
    return stale ? [stale] : [];
  }

  /**
   * Re-reads the given collections; a changed one gets its new rules and fields, a deleted one is
   * dropped. Returns the channels that became stale.
   */
  async refresh(collectionIds: Iterable<string>): Promise<string[]> {
    const ids = [...new Set(collectionIds)].filter((id) => this.#matchers.has(id));
    if (ids.length === 0) return [];
    const versions = await this.#prisma.collection.findMany({
      where: { id: { in: ids } },
      select: { id: true, updated: true },
    });
    const current = new Map(versions.map((row) => [row.id, row.updated.toISOString()]));
    const stale: string[] = [];
    for (const id of ids) {
      const matcher = this.#matchers.get(id) as CollectionMatcher;
      const version = current.get(id);
      if (version === undefined) {
        // The collection is gone: its subscribers learn it when they subscribe again.
        stale.push(...matcher.channels());
        this.#matchers.delete(id);
      } else if (version !== matcher.version) {
        const row = await this.#prisma.collection.findUnique({ where: { id } });
        if (row) stale.push(...matcher.replace(collectionFromRow(row)));
      }
    }
    return stale;
  }
}
