import type { Connection } from "./connection.ts";
import { Emitter, type EventMap } from "./emitter.ts";
import { isNotFound, type TidingsError } from "./errors.ts";
import { type BroadcastDelivery, SERVER_EVENT } from "./wire.ts";

/** Who sent a broadcast: their connection and user. */
export type BroadcastSender = BroadcastDelivery["from"];

/** Events of a broadcast topic. */
export interface TopicEvents<P> extends EventMap {
  /** A payload another member sent (never one's own). */
  message: [P, BroadcastSender];
  /** Joining again after a reconnection was refused. */
  error: [TidingsError];
}

/**
 * A client broadcast topic: ephemeral messages between the clients in it, on every node. Nothing
 * is stored: a member that is disconnected misses what is sent meanwhile. The topic is joined
 * again after every reconnection.
 */
export class Topic<P = unknown> extends Emitter<TopicEvents<P>> {
  readonly name: string;
  readonly #connection: Connection;
  #joined = false;

  constructor(name: string, connection: Connection) {
    super();
    this.name = name;
    this.#connection = connection;
  }

  get joined(): boolean {
    return this.#joined;
  }

  /** Joins the topic: from now on, `message` events bring what the other members send. */
  async join(): Promise<void> {
    await this.#connection.whenOpen();
    await this.#connection.request("broadcast:join", { topic: this.name });
    this.#joined = true;
  }

  async leave(): Promise<void> {
    this.#joined = false;
    if (!this.#connection.socket.connected) return;
    try {
      await this.#connection.request("broadcast:leave", { topic: this.name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Sends `payload` (any JSON) to the other members; the topic must be joined. */
  async send(payload: P): Promise<void> {
    await this.#connection.whenOpen();
    await this.#connection.request("broadcast", { topic: this.name, payload });
  }

  /** @internal After a reconnection. */
  rejoin(): void {
    if (!this.#joined) return;
    this.#connection.request("broadcast:join", { topic: this.name }).catch((error) => {
      this.#joined = false;
      this.emit("error", error as TidingsError);
    });
  }

  /** @internal A delivery for this topic. */
  deliver({ payload, from }: BroadcastDelivery): void {
    this.emit("message", payload as P, from);
  }
}

/** The topics of a client: routes deliveries to them and rejoins after reconnecting. */
export class Topics {
  // biome-ignore lint/suspicious/noExplicitAny: topics with different payload types share one table
  readonly #topics = new Map<string, Topic<any>>();
  readonly #connection: Connection;

  constructor(connection: Connection) {
    this.#connection = connection;
    connection.socket.on(SERVER_EVENT.broadcast, (delivery: BroadcastDelivery) =>
      this.#topics.get(delivery.topic)?.deliver(delivery),
    );
    connection.on("open", () => {
      for (const topic of this.#topics.values()) topic.rejoin();
    });
  }

  /** The topic named `name` (one object per name). */
  get<P>(name: string): Topic<P> {
    let topic = this.#topics.get(name);
    if (!topic) {
      topic = new Topic<P>(name, this.#connection);
      this.#topics.set(name, topic);
    }
    return topic;
  }
}
