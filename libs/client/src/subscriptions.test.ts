import { describe, expect, it } from "vitest";
import type { Connection, ConnectionEvents, ConnectionState } from "./connection.ts";
import { Emitter } from "./emitter.ts";
import { TidingsError } from "./errors.ts";
import type { Change, SubscribeOptions } from "./subscription.ts";
import { SubscriptionManager } from "./subscriptions.ts";
import type { ChangePayload } from "./wire.ts";

interface Sent {
  event: string;
  payload: Record<string, unknown>;
  answer(ack: Record<string, unknown>): void;
  refuse(error: TidingsError): void;
}

/** A connection whose server is the test: it sees every request and answers it by hand. */
class ScriptedConnection extends Emitter<ConnectionEvents> {
  state: ConnectionState = "open";
  closeReason: TidingsError | undefined;
  readonly sent: Sent[] = [];
  readonly #listeners = new Map<string, (payload: unknown) => void>();
  readonly socket = {
    connected: true,
    on: (event: string, listener: (payload: unknown) => void) =>
      this.#listeners.set(event, listener),
  };

  request(event: string, payload: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.sent.push({
        event,
        payload,
        answer: (ack) => resolve({ ok: true, ...ack }),
        refuse: reject,
      });
    });
  }

  server(event: string, payload: unknown): void {
    this.#listeners.get(event)?.(payload);
  }

  reconnect(): void {
    this.emit("open");
  }

  last(): Sent {
    return this.sent.at(-1) as Sent;
  }
}

const change = (channel: string, seq: number): ChangePayload => ({
  channel,
  action: "created",
  record: { id: `r${seq}` },
  seq,
  at: new Date(0).toISOString(),
});
const settle = () => new Promise((resolve) => setTimeout(resolve));

async function subscribed(options: SubscribeOptions = {}) {
  const connection = new ScriptedConnection();
  const manager = new SubscriptionManager(connection as unknown as Connection);
  const seqs: number[] = [];
  const pending = manager.subscribe(
    "posts",
    "*",
    (delivered: Change) => seqs.push(delivered.seq),
    options,
  );
  connection.last().answer({ id: "s1", channel: "c1" });
  const sub = await pending;
  return { connection, sub, seqs };
}

describe("SubscriptionManager", () => {
  it("resume - replayed and live changes around the ack arrive in seq order, each once", async () => {
    const { connection, sub, seqs } = await subscribed();
    connection.server("change", change("c1", 5));
    connection.reconnect();
    expect(connection.last().payload).toEqual({ collection: "posts", resumeFrom: 5 });
    // Live changes of the new channel overtake the replay; one is also replayed.
    connection.server("change", change("c2", 9));
    connection.server("change", change("c2", 6));
    connection.server("change", change("c2", 7));
    connection.server("change", change("c2", 7));
    connection.server("change", change("other", 10));
    connection.server("change", change("c2", 8));
    expect(seqs).toEqual([5]);
    connection.last().answer({ id: "s2", channel: "c2", replayed: 3, throughSeq: 8 });
    await settle();
    expect(seqs).toEqual([5, 6, 7, 8, 9]);
    expect(sub).toMatchObject({ id: "s2", channel: "c2", lastSeq: 9 });
    // A redelivery after an evaluator crash, then a new change.
    connection.server("change", change("c2", 8));
    connection.server("change", change("c2", 11));
    expect(seqs).toEqual([5, 6, 7, 8, 9, 11]);
  });

  it("resume - a live change at or below the replay's end is a duplicate even if first seen after the ack", async () => {
    const { connection, seqs } = await subscribed();
    connection.server("change", change("c1", 1));
    connection.reconnect();
    connection.last().answer({ id: "s2", channel: "c1", replayed: 0, throughSeq: 20 });
    await settle();
    connection.server("change", change("c1", 15));
    connection.server("change", change("c1", 21));
    expect(seqs).toEqual([1, 21]);
  });

  it("resubscribe - the channel's subscriptions subscribe again from their last seq and drop the old one", async () => {
    const { connection, sub, seqs } = await subscribed();
    connection.server("change", change("c1", 3));
    connection.server("resubscribe", { channel: "c1" });
    expect(connection.last().payload).toEqual({ collection: "posts", resumeFrom: 3 });
    connection.server("change", change("c1", 4));
    connection.last().answer({ id: "s2", channel: "c3", replayed: 1, throughSeq: 4 });
    connection.server("change", change("c3", 4));
    await settle();
    expect(connection.last()).toMatchObject({ event: "unsubscribe", payload: { id: "s1" } });
    expect(seqs).toEqual([3, 4]);
    expect(sub.channel).toBe("c3");
  });

  it("resync - RESYNC_REQUIRED on resume is reported, then the subscription starts afresh", async () => {
    const resyncs: TidingsError[] = [];
    const { connection, sub, seqs } = await subscribed({ onResync: (e) => resyncs.push(e) });
    connection.server("change", change("c1", 3));
    connection.reconnect();
    connection.last().refuse(new TidingsError("RESYNC_REQUIRED", "gone", { oldestSeq: 50 }));
    await settle();
    expect(resyncs.map((error) => error.data)).toEqual([{ oldestSeq: 50 }]);
    expect(connection.last().payload).toEqual({ collection: "posts" });
    connection.last().answer({ id: "s3", channel: "c1" });
    await settle();
    connection.server("change", change("c1", 60));
    expect(seqs).toEqual([3, 60]);
    expect(sub.active).toBe(true);
  });

  it("resync - a resume ack whose stream ends before the last seq seen means the history restarted", async () => {
    const resyncs: TidingsError[] = [];
    const { connection, seqs } = await subscribed({ onResync: (e) => resyncs.push(e) });
    connection.server("change", change("c1", 500));
    connection.reconnect();
    connection.last().answer({ id: "s2", channel: "c1", replayed: 0, throughSeq: 3 });
    await settle();
    expect(resyncs.map((error) => error.code)).toEqual(["RESYNC_REQUIRED"]);
    connection.server("change", change("c1", 4));
    expect(seqs).toEqual([500, 4]);
  });

  it("errors - a refusal to re-establish ends the subscription through onError", async () => {
    const errors: TidingsError[] = [];
    const { connection, sub } = await subscribed({ onError: (e) => errors.push(e) });
    connection.server("change", change("c1", 1));
    connection.server("resubscribe", { channel: "c1" });
    connection.last().refuse(new TidingsError("FORBIDDEN", "no longer yours"));
    await settle();
    expect(errors.map((error) => error.code)).toEqual(["FORBIDDEN"]);
    expect(sub.active).toBe(false);
    connection.server("change", change("c1", 2));
    expect(sub.lastSeq).toBe(1);
  });
});
