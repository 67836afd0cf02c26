import type { ChangePayload } from "@tidings/protocol";
import { startPgBouncer } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { collect, eventually, request } from "../support/socket-calls.ts";

// The main URL through PgBouncer in transaction mode (Debian's 1.18: no prepared statement
// tracking), TIDINGS_DATABASE_DIRECT_URL straight to PostgreSQL for the relay's advisory lock
// and LISTEN and the migrator's lock.
describe("a cluster whose database URL goes through PgBouncer in transaction mode", () => {
  it("writes through the pooler and delivers every change, on both nodes", async () => {
    await using bouncer = await startPgBouncer({ poolSize: 4 });
    await using cluster = await startCluster({
      nodes: 2,
      databaseEnv: (url) => ({
        TIDINGS_DATABASE_URL: bouncer.pooled(url),
        TIDINGS_DATABASE_DIRECT_URL: url,
      }),
    });
    await cluster.collection(openCollection("notes", [{ name: "n", type: "number" }]));
    const sockets = [await cluster.socket(0), await cluster.socket(1)];
    const received = sockets.map((socket) => collect<ChangePayload>(socket, "change"));
    for (const socket of sockets)
      expect((await request(socket, "subscribe", { collection: "notes" })).ok).toBe(true);

    const written = Array.from({ length: 20 }, (_, n) => n + 1);
    await Promise.all(
      written.map(async (n) => {
        const answer = await cluster.call("POST", "/api/collections/notes/records", {
          body: { n },
          on: n % 2,
        });
        expect(answer.status).toBe(201);
      }),
    );
    await eventually(() => {
      for (const changes of received)
        expect(changes.map((change) => Number(change.record.n)).sort((a, b) => a - b)).toEqual(
          written,
        );
    });
    // Exactly one relay leads: the advisory lock held on a direct session.
    expect(cluster.nodes.filter((node) => node.server.records.relay.leading)).toHaveLength(1);

    // The writes did go through the pooler: without it the API cannot write.
    await bouncer.stop();
    const refused = await cluster.call("POST", "/api/collections/notes/records", {
      body: { n: 21 },
    });
    expect(refused.status).toBeGreaterThanOrEqual(500);
  });
});
