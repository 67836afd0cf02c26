import type { Bus } from "@tidings/bus";
import type { CollectionCatalog } from "@tidings/collections";
import type { ChangePayload } from "@tidings/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SubscriptionStore } from "../subscriptions/subscription-store.ts";
import { EventHistory } from "./event-history.ts";
import type { GatewaySocket } from "./socket-types.ts";
import { subscribeHandler } from "./subscribe-handler.ts";
import { NOTES, NOTES_RULES, publishNote, startTestBus } from "./testing/change-events.ts";

/** A connected socket of user `ann`, recording what it is sent. */
function fakeSocket(sent: ChangePayload[]): GatewaySocket {
  return {
    connected: true,
    data: {
      auth: {
        id: "ann",
        email: "",
        name: "",
        role: "user",
        verified: true,
        created: "",
        updated: "",
      },
      expiresAt: null,
      connectionId: "c1",
      subscriptions: new Map(),
    },
    join: async () => {},
    emit: (_event: string, payload: ChangePayload) => sent.push(payload),
    conn: {},
  } as unknown as GatewaySocket;
}

describe("subscribe", () => {
  let bus: Bus;
  // A change committed while the node was subscribing to the room in Redis: it may have been
  // emitted before the room received anything, so the socket may never see it live.
  let committedMeanwhile: number;
  const handler = () =>
    subscribeHandler({
      collections: {
        byNameOrId: async () => ({ def: NOTES, rules: NOTES_RULES }),
      } as unknown as CollectionCatalog,
      history: new EventHistory(bus),
      store: { add: async () => {}, remove: async () => {} } as unknown as SubscriptionStore,
      maxSubscriptionsPerConnection: 10,
      roomsReady: async () => {
        committedMeanwhile = await publishNote(bus, "ann", 2);
      },
      replayBacklogBytes: 1_000_000,
    });

  beforeEach(async () => {
    bus = await startTestBus();
  });
  afterEach(() => bus.stop());

  it("the ack's throughSeq is read once the room receives every node's emits", async () => {
    await publishNote(bus, "ann", 1);
    const ack = await handler().handle(fakeSocket([]), { collection: "notes" });
    expect(ack.throughSeq).toBe(committedMeanwhile);
  });

  it("a resume replays what was committed while the room was being set up", async () => {
    const before = await publishNote(bus, "ann", 1);
    const sent: ChangePayload[] = [];
    const ack = await handler().handle(fakeSocket(sent), {
      collection: "notes",
      resumeFrom: before,
    });
    expect(ack).toMatchObject({ replayed: 1, throughSeq: committedMeanwhile });
    expect(sent.map((change) => change.record.n)).toEqual([2]);
  });
});
