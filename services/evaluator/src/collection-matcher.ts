import {
  type CollectionDef,
  type CompiledRules,
  compileRules,
  type DeliveryPreferences,
  groupInputOf,
  preferencesOf,
  realtimeRules,
} from "@tidings/collections";
import { SubscriptionIndex } from "@tidings/filter";
import type { SubscriptionSpec } from "@tidings/protocol";

/**
 * The live subscriptions of one collection, indexed under its current rules. A subscription whose
 * channel was computed under other rules (or whose filter no longer fits the fields) is stale: it is
 * kept out of the index, and its channel is told to subscribe again.
 */
export class CollectionMatcher {
  collection: CollectionDef;
  #rules: CompiledRules;
  readonly index: SubscriptionIndex;
  readonly #specs = new Map<string, SubscriptionSpec>();
  readonly #preferences = new Map<string, DeliveryPreferences>();

  constructor(collection: CollectionDef) {
    this.collection = collection;
    this.#rules = compileRules(collection);
    this.index = new SubscriptionIndex({ ...realtimeRules(this.#rules), scope: collection.id });
  }

  /** The collection's version: its `updated` time. */
  get version(): string {
    return this.collection.updated;
  }

  get size(): number {
    return this.#specs.size;
  }

  /** The channels of its subscriptions. */
  channels(): string[] {
    return [...new Set([...this.#specs.values()].map((spec) => spec.channel))];
  }

  /** Indexes a subscription; returns false (and indexes nothing) when it is stale. */
  add(spec: SubscriptionSpec): boolean {
    this.remove(spec.id);
    let input: ReturnType<typeof groupInputOf>;
    try {
      input = groupInputOf(this.collection, spec);
    } catch {
      return false;
    }
    const group = this.index.add({ id: spec.id, ...input });
    if (group.key !== spec.channel) {
      this.index.remove(spec.id);
      return false;
    }
    this.#specs.set(spec.id, spec);
    return true;
  }

  remove(id: string): void {
    this.#specs.delete(id);
    this.index.remove(id);
  }

  /**
   * Takes a new definition (rules or fields changed). Returns the channels of subscriptions that
   * became stale; they are dropped from the index until their subscribers come back.
   */
  replace(collection: CollectionDef): string[] {
    this.collection = collection;
    this.#rules = compileRules(collection);
    this.index.setRules(realtimeRules(this.#rules));
    const stale = new Set<string>();
    for (const spec of [...this.#specs.values()]) {
      if (!this.add(spec)) {
        this.#specs.delete(spec.id);
        stale.add(spec.channel);
      }
    }
    return [...stale];
  }

  /** The delivery preferences of a group, parsed once per distinct `extra`. */
  preferences(extra: string): DeliveryPreferences {
    let preferences = this.#preferences.get(extra);
    if (!preferences) {
      preferences = preferencesOf(extra);
      this.#preferences.set(extra, preferences);
    }
    return preferences;
  }
}
