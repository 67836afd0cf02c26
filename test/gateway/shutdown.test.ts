import type { ChangePayload } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, request } from "../support/socket-calls.ts";

const open = openCollection("notes", [{ name: "n", type: "number" }]);

describe("graceful shutdown", () => {
  it("a draining node tells its clients to reconnect; they resume on another node and lose nothing", async () => {
    await using cluster = await startCluster({ nodes: 2 });
    await cluster.collection(open);
    const socket = await cluster.socket(1);
    const changes = collect<ChangePayload>(socket, "change");
    const closing = collect(socket, "tidings:disconnect");
    expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 1 } });
    await eventually(() => expect(changes).toHaveLength(1));
    const stopping = cluster.nodes[1]!.stop();
    await eventually(() =>
      expect(closing).toEqual([
        { reason: "server_shutdown", code: "UNAVAILABLE", reconnect: true },
      ]),
    );
    const readiness = await fetch(`${cluster.nodes[1]!.url}/readyz`).catch(() => undefined);
    expect(readiness === undefined || readiness.status === 503).toBe(true);
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 2 } });
    await stopping;
    const moved = await cluster.socket(0);
    const after = collect<ChangePayload>(moved, "change");
    expect(
      await request(moved, "subscribe", { collection: "notes", resumeFrom: changes.at(-1)!.seq }),
    ).toMatchObject({ ok: true, replayed: 1 });
    await cluster.call("POST", "/api/collections/notes/records", { body: { n: 3 } });
    await eventually(() => expect(after.map((change) => change.record.n)).toEqual([2, 3]));
  });
});
