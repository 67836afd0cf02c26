import type { AuthUser, TokenService } from "@tidings/auth";
import type { CollectionCatalog, CollectionDef, SubscriptionRequest } from "@tidings/collections";
import type { PrismaClient } from "@tidings/db";
import { type ChangePayload, SERVER_EVENTS, TidingsError } from "@tidings/protocol";
import { countRefusal, type Logger } from "@tidings/service";
import type { ConnectionTracker } from "../connections/connection-tracker.ts";
import type { Credential } from "../connections/credentials.ts";
import type { Revocations } from "../connections/revocations.ts";
import type { EventHistory } from "../realtime/event-history.ts";
import type { GatewayServer } from "../realtime/socket-types.ts";
import { planSubscription } from "../subscriptions/subscription-planner.ts";
import type { SubscriptionStore } from "../subscriptions/subscription-store.ts";
import { VirtualConnection, type VirtualListener } from "./virtual-connection.ts";

/** What a compatibility transport's sessions are built on: the same parts as Socket.IO's. */
export interface CompatDeps {
  io: GatewayServer;
  prisma: PrismaClient;
  /** Checks the tokens sessions sign in with. */
  tokens: TokenService;
  /** The process's collection definitions and compiled rules (cached, kept current by the bus). */
  collections: CollectionCatalog;
  /** The change stream's state and what resuming subscriptions missed, shared between them. */
  history: EventHistory;
  store: SubscriptionStore;
  connections: ConnectionTracker;
  /** Where signed-in sessions are watched, so that a revoked sign-in closes them. */
  revocations: Revocations;
  roomsReady(): Promise<void>;
  logger: Logger;
  maxSubscriptionsPerConnection: number;
}

/** A subscription held by a compatibility session. */
export interface CompatSubscription {
  /** Stable for the life of the session, even when a rule change renews the stored one. */
  readonly key: string;
  readonly collection: CollectionDef;
  readonly request: SubscriptionRequest;
  /** The stored subscription's id and channel (renewed after a rule change). */
  id: string;
  channel: string;
  /** The last seq delivered: repeats are dropped, and a renewal replays from it. */
  lastSeq: number;
  /** While renewing: live changes held until the replay is done. */
  held: ChangePayload[] | undefined;
}

/** Delivers a change to the protocol's client. */
export type ChangeSink = (subscription: CompatSubscription, change: ChangePayload) => void;

/**
 * One client connection of a compatibility protocol (PocketBase SSE, Pusher, Fluxbase,
 * FastSchema), on the same path as Socket.IO clients: its subscriptions are planned, stored,
 * announced and grouped the same way, and it receives its channels' changes as a member of the
 * same rooms. Changes are de-duplicated by seq per subscription; when a rule change moves a
 * subscription to another channel, the session renews it and replays what it might have missed.
 */
export class CompatSession {
  readonly id: string;
  readonly #deps: CompatDeps;
  readonly #protocol: string;
  readonly #connection: VirtualConnection;
  readonly #subscriptions = new Map<string, CompatSubscription>();
  readonly #sink: ChangeSink;
  readonly #other: VirtualListener | undefined;
  readonly #onRevoked: () => void;
  #auth: AuthUser | null = null;
  #keys = 0;

  /**
   * `sink` receives the changes of the session's subscriptions; `other`, if given, every other
   * event delivered to its connection (presence diffs, broadcasts of the rooms it joined).
   * `onRevoked` tells the client, in its protocol, that its sign-in was revoked, and closes it.
   */
  constructor(
    deps: CompatDeps,
    options: { id: string; protocol: string; onRevoked: () => void },
    sink: ChangeSink,
    other?: VirtualListener,
  ) {
    this.#deps = deps;
    this.id = options.id;
    this.#protocol = options.protocol;
    this.#onRevoked = options.onRevoked;
    this.#sink = sink;
    this.#other = other;
    this.#connection = new VirtualConnection(
      deps.io,
      options.id,
      (event, payload) => this.#receive(event, payload),
      { transport: options.protocol, subscriptionCount: () => this.#subscriptions.size },
    );
  }

  /** Who the session is signed in as ({@link signIn}); null for a guest. */
  get auth(): AuthUser | null {
    return this.#auth;
  }

  /** The room member, for presence and broadcast. */
  get connection(): VirtualConnection {
    return this.#connection;
  }

  get subscriptions(): ReadonlyMap<string, CompatSubscription> {
    return this.#subscriptions;
  }

  /** Registers the connection (the per-user limit applies: `LIMIT_EXCEEDED`) and joins its rooms. */
  async open(): Promise<void> {
    await this.#deps.connections.open(this.id, this.auth?.id ?? null, this.#protocol);
    await this.#connection.attach();
  }

  /**
   * Signs the session in as `user` (or renews its token): rules read it, and `credential` is
   * watched.
   */
  signIn(user: AuthUser, credential: Credential): void {
    this.#auth = user;
    this.watchUser(user.id, credential);
  }

  /**
   * Watches `credential`, by which the session holds something of `userId`'s (a presence
   * membership), until the session closes: once it no longer holds, the session is revoked.
   */
  watchUser(userId: string, credential: Credential): void {
    if (!this.#connection.connected) return;
    this.#deps.revocations.watch(this.id, userId, credential, this.#onRevoked);
  }

  async #activate(subscription: { collection: string; request: SubscriptionRequest }) {
    const planned = await planSubscription(
      this.#deps.collections,
      { connectionId: this.id, auth: this.auth },
      subscription.collection,
      subscription.request,
    );
    await this.#deps.store.add(planned.spec, this.auth?.id ?? null);
    if (!this.#connection.connected) {
      await this.#deps.store.remove([planned.spec.id]);
      throw new TidingsError("UNAVAILABLE", "The connection closed while subscribing.");
    }
    await this.#connection.join(planned.spec.channel);
    await this.#deps.roomsReady();
    return planned;
  }

  /** Subscribes; refusals are the same errors Socket.IO clients get. */
  async subscribe(collection: string, request: SubscriptionRequest): Promise<CompatSubscription> {
    if (this.#subscriptions.size >= this.#deps.maxSubscriptionsPerConnection) {
      countRefusal("subscriptions_per_connection");
      throw new TidingsError(
        "LIMIT_EXCEEDED",
        `At most ${this.#deps.maxSubscriptionsPerConnection} subscriptions per connection.`,
      );
    }
    const planned = await this.#activate({ collection, request });
    const subscription: CompatSubscription = {
      key: `${this.id}:${++this.#keys}`,
      collection: planned.collection,
      request,
      id: planned.spec.id,
      channel: planned.spec.channel,
      lastSeq: await this.#deps.history.end(),
      held: undefined,
    };
    this.#subscriptions.set(subscription.key, subscription);
    return subscription;
  }

  /** Ends one subscription. */
  async unsubscribe(key: string): Promise<void> {
    const subscription = this.#subscriptions.get(key);
    if (!subscription) return;
    this.#subscriptions.delete(key);
    await this.#leaveIfUnused(subscription.channel);
    await this.#deps.store.remove([subscription.id]);
  }

  /** Ends every subscription. */
  async unsubscribeAll(): Promise<void> {
    for (const key of [...this.#subscriptions.keys()]) await this.unsubscribe(key);
  }

  /** The client went away: its subscriptions and rooms go at once (these protocols never resume). */
  async close(): Promise<void> {
    const ids = [...this.#subscriptions.values()].map((subscription) => subscription.id);
    this.#subscriptions.clear();
    this.#connection.close();
    this.#deps.revocations.unwatch(this.id);
    await this.#deps.store
      .remove(ids)
      .catch((error) =>
        this.#deps.logger.warn({ err: error }, "compat: could not remove subscriptions"),
      );
    await this.#deps.connections
      .close(this.id)
      .catch((error) =>
        this.#deps.logger.warn({ err: error }, "compat: could not mark a connection closed"),
      );
  }

  async #leaveIfUnused(channel: string): Promise<void> {
    if (![...this.#subscriptions.values()].some((other) => other.channel === channel))
      await this.#connection.leave(channel);
  }

  #receive(event: string, payload: unknown): void {
    if (event === SERVER_EVENTS.change) this.#deliverChange(payload as ChangePayload);
    else if (event === SERVER_EVENTS.resubscribe)
      void this.#renew((payload as { channel: string }).channel);
    else this.#other?.(event, payload);
  }

  #deliverChange(change: ChangePayload): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.channel !== change.channel) continue;
      if (subscription.held) subscription.held.push(change);
      else this.#deliver(subscription, change);
    }
  }

  #deliver(subscription: CompatSubscription, change: ChangePayload): void {
    if (change.seq <= subscription.lastSeq) return;
    subscription.lastSeq = change.seq;
    this.#sink(subscription, change);
  }

  // A rule change moved these subscriptions' channel: subscribe again under the new rules, replay
  // what came since the last delivered seq, then release the live changes held meanwhile.
  async #renew(channel: string): Promise<void> {
    for (const subscription of [...this.#subscriptions.values()].filter(
      (s) => s.channel === channel,
    )) {
      subscription.held = [];
      try {
        const planned = await this.#activate({
          collection: subscription.collection.id,
          request: subscription.request,
        });
        const previous = subscription.id;
        subscription.id = planned.spec.id;
        subscription.channel = planned.spec.channel;
        await this.#leaveIfUnused(channel);
        await this.#deps.store.remove([previous]);
        await this.#deps.history.replay({
          ...planned,
          after: subscription.lastSeq,
          through: await this.#deps.history.end(),
          send: (change) => this.#deliver(subscription, change),
          drained: async () => {},
        });
      } catch (error) {
        this.#deps.logger.warn(
          { err: error, channel },
          "compat: could not renew a subscription after a rule change",
        );
        this.#subscriptions.delete(subscription.key);
      } finally {
        const held = (subscription.held ?? []).sort((a, b) => a.seq - b.seq);
        subscription.held = undefined;
        for (const change of held)
          if (change.channel === subscription.channel) this.#deliver(subscription, change);
      }
    }
  }
}
