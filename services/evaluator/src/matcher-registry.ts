import type { CollectionCatalog } from "@tidings/collections";
import type { SubscriptionDelta, SubscriptionSpec } from "@tidings/protocol";
import { CollectionMatcher } from "./collection-matcher.ts";

/**
 * Every collection's matcher, kept in step with the subscriptions (deltas) and with the
 * collections themselves: before each batch, the definitions are compared with the process's
 * catalog, which every replica's change notices keep current, so a rule change applies to the
 * next event judged.
 */
export class MatcherRegistry {
  readonly #catalog: CollectionCatalog;
  readonly #matchers = new Map<string, CollectionMatcher>();

  constructor(catalog: CollectionCatalog) {
    this.#catalog = catalog;
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
    const existing = this.#matchers.get(collectionId);
    if (existing) return existing;
    const known = await this.#catalog.byId(collectionId);
    if (!known) return undefined;
    const matcher = new CollectionMatcher(known.def);
    this.#matchers.set(collectionId, matcher);
    return matcher;
  }

  /** Adds a subscription; returns its channel when it is stale (or its collection is gone). */
  async add(spec: SubscriptionSpec): Promise<string | undefined> {
    let matcher = await this.#matcherFor(spec.collectionId);
    if (matcher && spec.rulesVersion > matcher.version) {
      // The gateway saw a newer definition than ours: catch up before judging the channel.
      await this.refresh(spec.collectionId, spec.rulesVersion);
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
    const specs = delta.type === "add" ? [delta.subscription] : delta.subscriptions;
    const stale: string[] = [];
    for (const spec of specs) {
      const channel = await this.add(spec);
      if (channel) stale.push(channel);
    }
    return stale;
  }

  /**
   * Brings a collection's matcher up to the catalog's definition. `seen` is a version the relay
   * or a gateway saw: a catalog copy older than it is read again (its change notice has not
   * arrived yet); null reads it again regardless. A changed collection gets its new rules and
   * fields, a deleted one is dropped. Returns the channels that became stale.
   */
  async refresh(collectionId: string, seen: string | null): Promise<string[]> {
    const matcher = this.#matchers.get(collectionId);
    if (!matcher) return [];
    let known = await this.#catalog.byId(collectionId);
    if (known && (seen === null || known.def.updated < seen)) {
      this.#catalog.outdated(collectionId);
      known = await this.#catalog.byId(collectionId);
    }
    if (!known) {
      // The collection is gone: its subscribers learn it when they subscribe again.
      this.#matchers.delete(collectionId);
      return matcher.channels();
    }
    return known.def.updated === matcher.version ? [] : matcher.replace(known.def);
  }
}
