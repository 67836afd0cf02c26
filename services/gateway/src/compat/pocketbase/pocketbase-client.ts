import type { ServerResponse } from "node:http";
import type { AuthUser } from "@tidings/auth";
import { resolveExpand } from "@tidings/collections";
import { type ChangePayload, TidingsError } from "@tidings/protocol";
import { tokenCredential } from "../../connections/credentials.ts";
import { planSubscription } from "../../subscriptions/subscription-planner.ts";
import { type CompatDeps, CompatSession, type CompatSubscription } from "../compat-session.ts";
import { pocketBaseAction, presentRecord } from "./record-events.ts";
import { SseStream, type SseStreamOptions, type StreamEnd } from "./sse-stream.ts";
import { parseTopics, type RecordTopic } from "./topics.ts";

/** Events waiting to be written (expansion reads the database) before a client counts as slow. */
const MAX_PENDING_EVENTS = 1_000;

/** What a `POST /api/realtime` asks of a client. */
export interface SubscriptionUpdate {
  /** The user of the POST's token, or null for a guest. */
  auth: AuthUser | null;
  /** The POST's token (null for a guest): checked again whenever its user changes. */
  token: string | null;
  /** The POST's client address: it must be the stream's. */
  ip: string;
  /** The complete new set of topics. */
  topics: string[];
}

interface TopicEntry {
  topic: string;
  target: RecordTopic;
  /** Undefined while the topic names nothing this client may watch (unknown or forbidden). */
  subscription: CompatSubscription | undefined;
}

/** The answer PocketBase gives for an unknown or closed client. */
export function missingClient(): TidingsError {
  return new TidingsError("NOT_FOUND", "Missing or invalid client id.");
}

// PocketBase accepts topics it will never deliver to: the rules decide at each event.
const silent = (error: unknown) =>
  error instanceof TidingsError && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN");

/**
 * One PocketBase realtime client: an SSE stream and the compatibility session behind it. Each
 * posted topic that names records is one subscription of the session, so its events come through
 * the same rooms, rules and filters as Socket.IO clients'; they are written under the topic
 * exactly as posted. A record matching several topics is sent once per topic.
 */
export class PocketBaseClient {
  readonly id: string;
  readonly ip: string;
  readonly #deps: CompatDeps;
  readonly #session: CompatSession;
  readonly #streamOptions: SseStreamOptions;
  readonly #onClose: () => void;
  readonly #entries = new Map<string, TopicEntry>();
  readonly #byKey = new Map<string, TopicEntry>();
  #stream: SseStream | undefined;
  #closed = false;
  #updates: Promise<unknown> = Promise.resolve();
  #deliveries: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(
    deps: CompatDeps,
    options: { id: string; ip: string; stream: SseStreamOptions },
    onClose: () => void,
  ) {
    this.#deps = deps;
    this.id = options.id;
    this.ip = options.ip;
    this.#streamOptions = options.stream;
    this.#onClose = onClose;
    this.#session = new CompatSession(
      deps,
      // A revoked sign-in ends the stream: the SDK reconnects, and its next POST with the revoked
      // token is refused (401) until the application signs in again.
      { id: options.id, protocol: "pocketbase", onRevoked: () => void this.close("revoked") },
      (subscription, change) => this.#receive(subscription, change),
    );
  }

  /** Registers the connection; then {@link attach} starts the stream. */
  async open(): Promise<void> {
    await this.#session.open();
  }

  /** Starts the SSE stream on the response (`PB_CONNECT` first). */
  attach(res: ServerResponse): void {
    // The client may have gone while the connection was being registered.
    if (res.destroyed || !res.socket || res.socket.destroyed) {
      void this.#end("client");
      return;
    }
    this.#stream = new SseStream(res, this.id, this.#streamOptions, (reason) => {
      void this.#end(reason);
    });
    this.#stream.open();
  }

  /** Closes the stream, and with it every subscription. */
  async close(reason: StreamEnd = "server"): Promise<void> {
    if (this.#stream) this.#stream.close(reason);
    else await this.#end(reason);
  }

  async #end(reason: StreamEnd): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.#deps.logger.debug({ clientId: this.id, reason }, "pocketbase: stream closed");
    await this.#session.close();
  }

  /** Replaces the client's topics. POSTs apply one at a time, in the order they arrive. */
  update(request: SubscriptionUpdate): Promise<void> {
    const run = this.#updates.then(() => this.#apply(request));
    this.#updates = run.catch(() => {});
    return run;
  }

  async #apply({ auth, token, ip, topics }: SubscriptionUpdate): Promise<void> {
    if (this.#closed) throw missingClient();
    if (ip !== this.ip) throw new TidingsError("VALIDATION_FAILED", "Invalid realtime client.");
    const previous = this.#session.auth;
    if (previous && previous.id !== auth?.id)
      throw new TidingsError(
        "FORBIDDEN",
        "The current and the previous request authorization don't match.",
      );
    const unique = [...new Set(topics)];
    const targets = parseTopics(unique);
    const wanted = new Map<string, RecordTopic>();
    unique.forEach((topic, index) => {
      const target = targets[index];
      if (target) wanted.set(topic, target);
    });
    // A guest who signs in gets every topic planned again, under the user's rules.
    const upgrade = previous === null && auth !== null;
    const kept = new Set(
      upgrade ? [] : [...wanted.keys()].filter((t) => this.#entries.get(t)?.subscription),
    );
    const added = [...wanted].filter(([topic]) => !kept.has(topic));
    const usable = await this.#check(auth, added, unique);
    const max = this.#deps.maxSubscriptionsPerConnection;
    if (kept.size + usable.size > max)
      throw new TidingsError("LIMIT_EXCEEDED", `At most ${max} subscriptions per connection.`);
    if (auth && upgrade) await this.#deps.connections.signIn(this.id, auth.id);
    // The latest token is the one that must hold (a POST may bring a renewed one).
    if (auth && token)
      this.#session.signIn(auth, tokenCredential(this.#deps.tokens, token, auth.id));
    for (const entry of [...this.#entries.values()])
      if (!kept.has(entry.topic)) await this.#drop(entry);
    for (const [topic, target] of added) {
      const entry: TopicEntry = { topic, target, subscription: undefined };
      this.#entries.set(topic, entry);
      if (usable.has(topic)) await this.#activate(entry);
    }
  }

  // Everything that can be refused is checked before anything changes: filters (INVALID_FILTER)
  // and expansions (VALIDATION_FAILED) name the topic's index; unknown or forbidden collections
  // are accepted silently, as PocketBase does.
  async #check(
    auth: AuthUser | null,
    added: [string, RecordTopic][],
    topics: string[],
  ): Promise<Set<string>> {
    const usable = new Set<string>();
    for (const [topic, target] of added) {
      try {
        const planned = await planSubscription(
          this.#deps.collections,
          { connectionId: this.id, auth },
          target.collection,
          { recordId: target.recordId, filter: target.filter, filterSyntax: "pocketbase" },
        );
        if (target.expand)
          await resolveExpand(this.#deps.prisma, planned.collection, target.expand);
        usable.add(topic);
      } catch (error) {
        if (silent(error)) continue;
        if (error instanceof TidingsError)
          throw new TidingsError(error.code, error.message, {
            ...error.data,
            subscription: topics.indexOf(topic),
          });
        throw error;
      }
    }
    return usable;
  }

  async #activate(entry: TopicEntry): Promise<void> {
    try {
      const { target } = entry;
      entry.subscription = await this.#session.subscribe(target.collection, {
        recordId: target.recordId,
        filter: target.filter,
        filterSyntax: "pocketbase",
      });
      this.#byKey.set(entry.subscription.key, entry);
    } catch (error) {
      if (this.#closed) throw missingClient();
      if (!silent(error)) throw error;
    }
  }

  async #drop(entry: TopicEntry): Promise<void> {
    this.#entries.delete(entry.topic);
    if (!entry.subscription) return;
    this.#byKey.delete(entry.subscription.key);
    await this.#session.unsubscribe(entry.subscription.key);
  }

  #receive(subscription: CompatSubscription, change: ChangePayload): void {
    const entry = this.#byKey.get(subscription.key);
    const action = pocketBaseAction(change.action);
    if (!entry || !action || !this.#stream || this.#closed) return;
    if (this.#pending >= MAX_PENDING_EVENTS) {
      this.#stream.close("slow");
      return;
    }
    this.#pending += 1;
    // Chained, so that events keep their order while an expansion reads the database.
    this.#deliveries = this.#deliveries.then(async () => {
      try {
        const record = await presentRecord(
          this.#deps.prisma,
          subscription.collection,
          entry.target,
          change.record,
          this.#session.auth,
        );
        this.#stream?.send(entry.topic, JSON.stringify({ action, record }));
      } catch (error) {
        this.#deps.logger.warn({ err: error, clientId: this.id }, "pocketbase: event not sent");
      } finally {
        this.#pending -= 1;
      }
    });
  }
}
