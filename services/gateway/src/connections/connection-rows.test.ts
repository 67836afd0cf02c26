import { openTestDatabase, type TestBackend, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIT_CONNECTIONS, admitConnections } from "./connection-rows.ts";

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function indexesIn(node: PlanNode): string[] {
  const own = node["Index Name"] ? [node["Index Name"]] : [];
  return [...own, ...(node.Plans ?? []).flatMap(indexesIn)];
}

describe.each<TestBackend>(["postgres", "pglite"])("admitConnections on %s", (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(() => db.close());

  // A gateway's prepared statement soon runs on a generic plan, with statistics taken while the
  // table was small: when one gateway's clients reconnect to another, every connection of the
  // killed gateway is still live. The count of a user's live connections must read that user's
  // entries, not every live connection's (which cost 0.2–1 ms per admitted connection).
  it("counts a user's live connections from that user's entries, on a generic plan with stale statistics", async () => {
    await db.sql.query(
      `INSERT INTO realtime_connections (id, user_id, node_id)
       SELECT 'early-' || g, 'u' || (g % 10), 'gone' FROM generate_series(1, 300) g`,
    );
    await db.sql.query("ANALYZE realtime_connections");
    await db.sql.query(
      `INSERT INTO realtime_connections (id, user_id, node_id)
       SELECT 'live-' || g, 'user-' || g, 'killed' FROM generate_series(1, 5000) g`,
    );
    const openings = Array.from({ length: 50 }, (_, n) => ({
      n,
      id: `again-${n}`,
      user_id: `user-${n + 1}`,
      protocol: "socket.io",
    }));
    const session = await db.openSession();
    try {
      await session.exec("SET plan_cache_mode = force_generic_plan");
      await session.exec(`PREPARE admit(jsonb, timestamptz, text, int) AS ${ADMIT_CONNECTIONS}`);
      const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
      const seenAfter = new Date(Date.now() - 60_000).toISOString();
      const [row] = await session.query<{ "QUERY PLAN": [{ Plan: PlanNode }] | string }>(
        `EXPLAIN (FORMAT JSON) EXECUTE admit(${literal(JSON.stringify(openings))}, ${literal(seenAfter)}, 'here', 2)`,
      );
      await session.exec("DEALLOCATE admit; RESET plan_cache_mode");
      const explained = row?.["QUERY PLAN"];
      const [plan] = typeof explained === "string" ? JSON.parse(explained) : explained;
      const indexes = indexesIn(plan.Plan);
      expect(indexes).toContain("realtime_connections_user_id_last_seen_at_idx");
      expect(indexes).not.toContain("realtime_connections_last_seen_at_idx");
    } finally {
      await session.close();
    }
    // And it admits by that count: each of these users has one live connection, the limit is 2.
    const admitted = await admitConnections(
      db.sql,
      [
        { id: "second", userId: "user-1", protocol: "socket.io" },
        { id: "third", userId: "user-1", protocol: "socket.io" },
      ],
      { nodeId: "here", seenAfter: new Date(Date.now() - 60_000), maxPerUser: 2 },
    );
    expect([...admitted]).toEqual(["second"]);
  });
});
