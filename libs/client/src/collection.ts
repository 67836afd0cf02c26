import type { Change, SubscribeOptions, Subscription } from "./subscription.ts";
import type { SubscriptionManager } from "./subscriptions.ts";

/** A collection to subscribe to. `T` is the shape of its records. */
export class CollectionRef<T = Record<string, unknown>> {
  readonly name: string;
  readonly #subscriptions: SubscriptionManager;

  constructor(name: string, subscriptions: SubscriptionManager) {
    this.name = name;
    this.#subscriptions = subscriptions;
  }

  /**
   * Delivers the changes of the whole collection (`"*"`) or of one record (its id) to `handler`, in
   * order and once each, across reconnections. Resolves once the server accepted the subscription;
   * rejects with a `TidingsError` (`NOT_FOUND`, `FORBIDDEN`, `INVALID_FILTER`, …).
   */
  subscribe(
    target: "*" | (string & {}),
    handler: (change: Change<T>) => void,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    return this.#subscriptions.subscribe(this.name, target, handler, options);
  }
}
