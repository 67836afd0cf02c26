import { randomUUID } from "node:crypto";
import type { CollectionCatalog } from "@tidings/collections";
import { type ChangePayload, type SubscribableAction, TidingsError } from "@tidings/protocol";
import { findRealtimeCollection } from "../../subscriptions/subscription-planner.ts";
import type { CompatSession, CompatSubscription } from "../compat-session.ts";
import type { TableFields } from "./fluxbase-messages.ts";
import { FluxbaseRefusal, type ServerMessage } from "./fluxbase-wire.ts";

/** A table subscription as the client named it. */
export interface TableTarget {
  /** Reported back as given; Tidings has one namespace of collections. */
  schema: string;
  /** The collection, by name or id. */
  table: string;
  event: "INSERT" | "UPDATE" | "DELETE" | "*";
  filter: string | undefined;
  /** The channel the client subscribed on; events carry it. */
  channel: string;
}

const EVENTS: Record<TableTarget["event"], SubscribableAction[]> = {
  INSERT: ["created"],
  UPDATE: ["updated"],
  DELETE: ["deleted"],
  "*": [],
};

const TABLE_CHANNEL = /^table:(?:([^.]*)\.)?(.+)$/;

/**
 * The table a subscribe message is about: from `config` (the SDK), the legacy top-level fields, or
 * the channel `table:{schema}.{table}`, in that order of precedence, field by field. Undefined when
 * it names no table (a presence or broadcast channel).
 */
export function tableTarget(
  message: TableFields & { channel?: string | null | undefined; config?: TableFields | null },
): TableTarget | undefined {
  const config = message.config ?? {};
  const fromChannel = TABLE_CHANNEL.exec(message.channel ?? "");
  const table = config.table || message.table || fromChannel?.[2];
  if (!table) {
    if (message.channel?.startsWith("table:"))
      throw new FluxbaseRefusal("INVALID_CHANNEL", "table is required for subscribe");
    return undefined;
  }
  const schema = config.schema || message.schema || fromChannel?.[1] || "public";
  const event = (config.event || message.event || "*").toUpperCase();
  if (!Object.hasOwn(EVENTS, event))
    throw new FluxbaseRefusal("SUBSCRIPTION_FAILED", `invalid event "${event}"`);
  return {
    schema,
    table,
    event: event as TableTarget["event"],
    filter: config.filter || message.filter || undefined,
    channel: message.channel || `table:${schema}.${table}`,
  };
}

interface TableSubscription extends TableTarget {
  id: string;
  key: string;
}

/**
 * A connection's table subscriptions: each a {@link CompatSession} subscription with a Fluxbase
 * filter, acknowledged with the id the client unsubscribes with. Changes become Fluxbase change
 * events on the subscription's channel.
 */
export class FluxbaseTables {
  readonly #session: CompatSession;
  readonly #collections: CollectionCatalog;
  readonly #byId = new Map<string, TableSubscription>();
  readonly #byKey = new Map<string, TableSubscription>();

  constructor(session: CompatSession, collections: CollectionCatalog) {
    this.#session = session;
    this.#collections = collections;
  }

  /** Subscribes and returns the ack; refusals are thrown as {@link FluxbaseRefusal}s. */
  async subscribe(target: TableTarget): Promise<ServerMessage> {
    let compat: CompatSubscription;
    try {
      compat = await this.#session.subscribe(target.table, {
        filter: target.filter,
        filterSyntax: "fluxbase",
        events: EVENTS[target.event],
      });
    } catch (error) {
      throw await this.#refusal(error, target);
    }
    const subscription = { ...target, id: randomUUID(), key: compat.key };
    this.#byId.set(subscription.id, subscription);
    this.#byKey.set(subscription.key, subscription);
    const { id, schema, table, event, filter, channel } = subscription;
    return {
      type: "ack",
      channel,
      status: "subscribed",
      payload: {
        subscribed: true,
        subscription_id: id,
        schema,
        table,
        event,
        ...(filter ? { filter } : {}),
      },
    };
  }

  // Fluxbase's texts where it has one: an anonymous client is told to sign in whenever the rules
  // refuse it, a collection without realtime is "not enabled".
  async #refusal(error: unknown, target: TableTarget): Promise<unknown> {
    if (!(error instanceof TidingsError)) return error;
    const name = `${target.schema}.${target.table}`;
    switch (error.code) {
      case "INVALID_FILTER":
        return new FluxbaseRefusal("SUBSCRIPTION_FAILED", `invalid filter: ${error.message}`);
      case "NOT_FOUND":
        return new FluxbaseRefusal("SUBSCRIPTION_FAILED", `table ${name} does not exist`);
      case "LIMIT_EXCEEDED":
        return new FluxbaseRefusal("SUBSCRIPTION_FAILED", error.message);
      case "FORBIDDEN": {
        const realtimeOff = await findRealtimeCollection(this.#collections, target.table).then(
          () => false,
          (e: unknown) => e instanceof TidingsError && e.code === "FORBIDDEN",
        );
        if (realtimeOff)
          return new FluxbaseRefusal("FORBIDDEN", `table ${name} not enabled for realtime`);
        if (this.#session.auth === null)
          return new FluxbaseRefusal("UNAUTHORIZED", "authentication required for subscriptions");
        return new FluxbaseRefusal("FORBIDDEN", error.message);
      }
      default:
        return error;
    }
  }

  /**
   * Ends one subscription (unknown ids too: Fluxbase acknowledges them), those on `channel`, or
   * when neither matches, all of them, as Fluxbase does for an unsubscribe without an id.
   */
  async unsubscribe(id: string | undefined, channel: string | undefined): Promise<ServerMessage> {
    let chosen = [...this.#byId.values()];
    if (id !== undefined) chosen = chosen.filter((s) => s.id === id);
    else if (chosen.some((s) => s.channel === channel))
      chosen = chosen.filter((s) => s.channel === channel);
    for (const subscription of chosen) {
      this.#byId.delete(subscription.id);
      this.#byKey.delete(subscription.key);
      await this.#session.unsubscribe(subscription.key);
    }
    return {
      type: "ack",
      ...(channel ? { channel } : {}),
      payload: { unsubscribed: true, ...(id !== undefined ? { subscription_id: id } : {}) },
    };
  }

  /** True when a subscription was made on `channel`. */
  has(channel: string): boolean {
    for (const subscription of this.#byId.values())
      if (subscription.channel === channel) return true;
    return false;
  }

  /**
   * The change event for a delivered change, or null when there is none to send: a record that
   * left the subscriber's view (a filter or rule stopped matching) is not reported, as Fluxbase
   * reports only what the new record matches; a record entering it is an UPDATE.
   */
  changeEvent(key: string, change: ChangePayload): ServerMessage | null {
    const subscription = this.#byKey.get(key);
    if (subscription === undefined || change.action === "left") return null;
    const { schema, table, channel } = subscription;
    const base = { schema, table, timestamp: change.at };
    const payload =
      change.action === "created"
        ? { type: "INSERT", ...base, record: change.record }
        : change.action === "deleted"
          ? { type: "DELETE", ...base, old_record: change.record }
          : {
              type: "UPDATE",
              ...base,
              record: change.record,
              ...(change.oldRecord ? { old_record: change.oldRecord } : {}),
            };
    return { type: "broadcast", channel, payload };
  }
}
