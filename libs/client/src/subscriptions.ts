import type { Connection } from "./connection.ts";
import { isNotFound, TidingsError } from "./errors.ts";
import {
  type Change,
  LiveSubscription,
  type SubscribeOptions,
  type Subscription,
} from "./subscription.ts";
import { type ChangePayload, SERVER_EVENT, type SubscribeAck } from "./wire.ts";

/** What arrived while a `subscribe` was on its way: its changes may be among them. */
interface Window {
  changes: ChangePayload[];
  resubscribes: Set<string>;
}

// biome-ignore lint/suspicious/noExplicitAny: subscriptions of different record types share one table
type AnySubscription = LiveSubscription<any>;

const RETRYABLE = new Set(["RATE_LIMITED", "UNAVAILABLE", "INTERNAL", "LIMIT_EXCEEDED"]);

/**
 * Every subscription of a client: routes `change` events by channel, and (re-)establishes
 * subscriptions after a reconnection or a `resubscribe`, resuming from their last `seq`.
 *
 * The seam of a resume: the server replays missed changes before its ack, while live changes of
 * the new channel may already flow. So a subscription is not routed to while its `subscribe` is on
 * the way; everything that arrives meanwhile is kept and, once the ack names the channel, handed
 * over in `seq` order, duplicates dropped.
 */
export class SubscriptionManager {
  readonly #connection: Connection;
  readonly #all = new Set<AnySubscription>();
  readonly #byChannel = new Map<string, Set<AnySubscription>>();
  readonly #windows = new Set<Window>();
  readonly #attempts = new Map<AnySubscription, number>();
  readonly #first = new Map<AnySubscription, (error?: TidingsError) => void>();

  constructor(connection: Connection) {
    this.#connection = connection;
    const socket = connection.socket;
    socket.on(SERVER_EVENT.change, (change: ChangePayload) => this.#route(change));
    socket.on(SERVER_EVENT.resubscribe, ({ channel }: { channel: string }) =>
      this.#resubscribe(channel),
    );
    connection.on("open", () => {
      for (const sub of this.#all) void this.#establish(sub);
    });
    connection.on("state", (state) => {
      if (state !== "closed") return;
      const reason = connection.closeReason ?? new TidingsError("UNAVAILABLE", "Closed.");
      for (const [sub, settle] of this.#first) {
        this.#forget(sub);
        settle(reason);
      }
    });
  }

  /** Subscribes; resolves once the server acknowledged (waiting for the connection if need be). */
  subscribe<T>(
    collection: string,
    target: string,
    handler: (change: Change<T>) => void,
    options: SubscribeOptions,
  ): Promise<Subscription> {
    if (this.#connection.state === "closed") {
      return Promise.reject(
        this.#connection.closeReason ?? new TidingsError("UNAVAILABLE", "Closed."),
      );
    }
    const sub: AnySubscription = new LiveSubscription(collection, target, handler, options, (s) =>
      this.#unsubscribe(s),
    );
    this.#all.add(sub);
    const acknowledged = new Promise<Subscription>((resolve, reject) => {
      this.#first.set(sub, (error) => (error ? reject(error) : resolve(sub)));
    });
    if (this.#connection.socket.connected) void this.#establish(sub);
    return acknowledged;
  }

  /** Ends every subscription (the client closed; pending ones were refused with the close). */
  closeAll(): void {
    for (const sub of [...this.#all]) this.#forget(sub);
  }

  #route(change: ChangePayload): void {
    for (const window of this.#windows) window.changes.push(change);
    for (const sub of this.#byChannel.get(change.channel) ?? []) sub.deliver(change);
  }

  #resubscribe(channel: string): void {
    for (const window of this.#windows) window.resubscribes.add(channel);
    for (const sub of [...(this.#byChannel.get(channel) ?? [])])
      void this.#establish(sub, { replacing: sub.id });
  }

  async #establish(
    sub: AnySubscription,
    how: { replacing?: string | undefined } = {},
  ): Promise<void> {
    this.#detach(sub);
    const attempt = (this.#attempts.get(sub) ?? 0) + 1;
    this.#attempts.set(sub, attempt);
    const window: Window = { changes: [], resubscribes: new Set() };
    this.#windows.add(window);
    try {
      const ack = await this.#connection.request<SubscribeAck>("subscribe", sub.message());
      if (this.#attempts.get(sub) !== attempt) return;
      if (
        ack.throughSeq !== undefined &&
        sub.lastSeq !== undefined &&
        ack.throughSeq < sub.lastSeq
      ) {
        // The stream ends before what this client saw: the server's history restarted (an
        // in-process bus after a restart, a recreated stream), so nothing was replayed.
        sub.resync(new TidingsError("RESYNC_REQUIRED", "The server's change history restarted."));
      }
      if (!sub.active) return this.#dropQuietly(ack.id);
      sub.id = ack.id;
      sub.channel = ack.channel;
      sub.established = true;
      const missed = window.changes.filter((change) => change.channel === ack.channel);
      for (const change of missed.sort((a, b) => a.seq - b.seq)) sub.deliver(change);
      if (ack.throughSeq !== undefined) sub.coveredThrough(ack.throughSeq);
      this.#attach(sub);
      this.#first.get(sub)?.();
      this.#first.delete(sub);
      if (window.resubscribes.has(ack.channel)) void this.#establish(sub, { replacing: ack.id });
    } catch (error) {
      if (this.#attempts.get(sub) === attempt) this.#failed(sub, error as TidingsError);
    } finally {
      this.#windows.delete(window);
      if (how.replacing !== undefined) this.#dropQuietly(how.replacing);
    }
  }

  #failed(sub: AnySubscription, error: TidingsError): void {
    // Lost with the connection: the next connection establishes it again.
    if (!sub.active || !this.#connection.socket.connected) return;
    const settleFirst = this.#first.get(sub);
    if (settleFirst) {
      this.#forget(sub);
      settleFirst(error);
    } else if (error.code === "RESYNC_REQUIRED") {
      sub.resync(error);
      void this.#establish(sub);
    } else if (RETRYABLE.has(error.code)) {
      const attempt = this.#attempts.get(sub);
      const retry = () => {
        if (sub.active && this.#attempts.get(sub) === attempt) void this.#establish(sub);
      };
      setTimeout(retry, (Number(error.data.retryAfterSeconds) || 1) * 1000);
    } else {
      this.#forget(sub);
      sub.fail(error);
    }
  }

  async #unsubscribe(sub: AnySubscription): Promise<void> {
    this.#forget(sub);
    if (sub.id !== undefined) await this.#drop(sub.id);
  }

  // Asks the server to forget a subscription; one it no longer knows is forgotten already.
  async #drop(id: string): Promise<void> {
    if (!this.#connection.socket.connected) return;
    try {
      await this.#connection.request("unsubscribe", { id });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  // A stale or unwanted server subscription gets nothing anyway and goes with the connection.
  #dropQuietly(id: string): void {
    this.#drop(id).catch(() => {});
  }

  #forget(sub: AnySubscription): void {
    sub.active = false;
    this.#detach(sub);
    this.#all.delete(sub);
    this.#attempts.delete(sub);
    this.#first.delete(sub);
  }

  #attach(sub: AnySubscription): void {
    const channel = sub.channel as string;
    let subs = this.#byChannel.get(channel);
    if (!subs) {
      subs = new Set();
      this.#byChannel.set(channel, subs);
    }
    subs.add(sub);
  }

  #detach(sub: AnySubscription): void {
    if (sub.channel === undefined) return;
    const subs = this.#byChannel.get(sub.channel);
    subs?.delete(sub);
    if (subs?.size === 0) this.#byChannel.delete(sub.channel);
  }
}
