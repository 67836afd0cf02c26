import type { ChangePayload } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, request } from "../support/socket-calls.ts";

const open = openCollection("notes", [{ name: "n", type: "number" }]);

const numbers = (changes: ChangePayload[]) => changes.map((change) => change.record.n);
// What a client delivers under the seam rule (docs/protocol.md "Resume"): what arrives around a
// resuming subscribe is delivered in seq order, and a change that came both replayed and live (it
// was published while the subscription was being stored) counts once.
const seamed = (changes: ChangePayload[]) =>
  [...new Map(changes.map((change) => [change.seq, change])).values()].sort(
    (x, y) => x.seq - y.seq,
  );
const delivered = (changes: ChangePayload[]) => numbers(seamed(changes));

describe("gateway nodes in a cluster", () => {
  it("clients on both nodes receive a change written through either node", async () => {
    await using cluster = await startCluster({ nodes: 2 });
    await cluster.collection(open);
    const [a, b] = [await cluster.socket(0), await cluster.socket(1)];
    const [onA, onB] = [collect<ChangePayload>(a, "change"), collect<ChangePayload>(b, "change")];
    const [ackA, ackB] = [
      await request(a, "subscribe", { collection: "notes" }),
      await request(b, "subscribe", { collection: "notes" }),
    ];
    expect(ackA.ok && ackB.ok && ackA.channel === ackB.channel).toBe(true);
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 1 }, on: 0 });
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 2 }, on: 1 });
    await eventually(() => {
      expect(numbers(onA)).toEqual([1, 2]);
      expect(numbers(onB)).toEqual([1, 2]);
    });
  });

  it("resume - a client that moves from node A to node B gets what it missed, in order, then live", async () => {
    await using cluster = await startCluster({ nodes: 2 });
    await cluster.collection(open);
    const first = await cluster.socket(0);
    const before = collect<ChangePayload>(first, "change");
    expect((await request(first, "subscribe", { collection: "notes" })).ok).toBe(true);
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 1 } });
    await eventually(() => expect(numbers(before)).toEqual([1]));
    const lastSeq = before[0]!.seq;
    first.close();
    for (let n = 2; n <= 4; n += 1)
      await cluster.call("POST", "/api/collections/notes/records", { body: { n } });
    const second = await cluster.socket(1);
    const after = collect<ChangePayload>(second, "change");
    const ack = await request(second, "subscribe", { collection: "notes", resumeFrom: lastSeq });
    expect(ack).toMatchObject({ ok: true, replayed: 3 });
    expect(delivered(after)).toEqual([2, 3, 4]);
    const atAck = after.length;
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 5 }, on: 1 });
    await eventually(() => expect(delivered(after)).toEqual([2, 3, 4, 5]));
    // After the ack, changes arrive live and in order.
    expect(numbers(after.slice(atAck))).toEqual([5]);
    expect(seamed(after)[0]!.seq).toBeGreaterThan(lastSeq);
  });

  it("resume - replays under the current rules: what the subscriber may not see is not replayed", async () => {
    await using cluster = await startCluster();
    await cluster.collection({
      ...open,
      fields: [...open.fields, { name: "owner", type: "relation", collection: "users" }],
      listRule: "owner = @request.auth.id",
    });
    const [ann, bob] = [await cluster.user(), await cluster.user()];
    const socket = await cluster.socket(0, { token: ann.token });
    expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);
    socket.close();
    await cluster.call("POST", "/api/collections/notes/records", {
      body: { n: 1, owner: bob.user.id },
    });
    await cluster.call("POST", "/api/collections/notes/records", {
      body: { n: 2, owner: ann.user.id },
    });
    const again = await cluster.socket(0, { token: ann.token });
    const changes = collect<ChangePayload>(again, "change");
    expect(await request(again, "subscribe", { collection: "notes", resumeFrom: 0 })).toMatchObject(
      { ok: true, replayed: 1 },
    );
    expect(delivered(changes)).toEqual([2]);
  });

  it("resume - a seq older than the retained history is RESYNC_REQUIRED, and nothing is stored", async () => {
    await using cluster = await startCluster({ env: { TIDINGS_RESUME_MAX_BYTES: "1048576" } });
    await cluster.collection({ ...open, fields: [...open.fields, { name: "blob", type: "text" }] });
    const blob = "x".repeat(60_000);
    for (let n = 1; n <= 25; n += 1)
      await cluster.call("POST", "/api/collections/notes/records", { body: { n, blob } });
    const socket = await cluster.socket(0);
    await eventually(async () => {
      const ack = await request(socket, "subscribe", { collection: "notes", resumeFrom: 0 });
      expect(!ack.ok && ack.error.code).toBe("RESYNC_REQUIRED");
    });
    expect(await cluster.nodes[0]!.server.records.db.prisma.realtimeSubscription.count()).toBe(0);
  });
});
