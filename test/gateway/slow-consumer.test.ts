import type { ChangePayload } from "@tidings/protocol";
import type { Socket } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, request } from "../support/socket-calls.ts";

const big = openCollection("big", [
  { name: "n", type: "number" },
  { name: "blob", type: "json" },
]);

/** Stops reading from the client's TCP socket, as a client stuck on a slow network would. */
function stopReading(socket: Socket): void {
  const ws = (socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws;
  ws._socket.pause();
}

describe("slow consumers", () => {
  it("a client that stops reading is cut off; a fast one on the same node gets everything", {
    timeout: 60_000,
  }, async () => {
    await using cluster = await startCluster({
      env: { TIDINGS_SLOW_CONSUMER_BYTES: "3145728", TIDINGS_BODY_LIMIT: "2097152" },
    });
    await cluster.collection(big);
    const slow = await cluster.socket(0);
    const fast = await cluster.socket(0);
    const fastChanges = collect<ChangePayload>(fast, "change");
    expect((await request(slow, "subscribe", { collection: "big" })).ok).toBe(true);
    expect((await request(fast, "subscribe", { collection: "big" })).ok).toBe(true);
    const io = cluster.nodes[0]!.server.io;
    const slowId = slow.id as string;
    stopReading(slow);
    const blob = "x".repeat(900_000);
    let written = 0;
    while (written < 40 && io.of("/").sockets.has(slowId)) {
      written += 1;
      expect(
        (await cluster.call("POST", "/api/collections/big/records", { body: { n: written, blob } }))
          .status,
      ).toBe(201);
    }
    await eventually(() => expect(io.of("/").sockets.has(slowId)).toBe(false), 15_000);
    await cluster.call("POST", "/api/collections/big/records", { body: { n: 999, blob: "small" } });
    await eventually(
      () => expect(fastChanges.map((change) => change.record.n)).toContain(999),
      20_000,
    );
    expect(fastChanges.map((change) => change.record.n)).toEqual([
      ...Array.from({ length: written }, (_, i) => i + 1),
      999,
    ]);
    expect(fast.connected).toBe(true);
  });
});
