import { createMemoryBus } from "@tidings/bus";
import type { SqlClient } from "@tidings/db";
import { openTestDatabase, type TestBackend, type TestDatabase } from "@tidings/db/testing";
import { createLogger } from "@tidings/service";
import { eventually } from "@tidings/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SubscriptionStore } from "../subscriptions/subscription-store.ts";
import { ConnectionTracker, type ConnectionTrackerOptions } from "./connection-tracker.ts";

const logger = createLogger("silent");

describe.each<TestBackend>(["postgres", "pglite"])("ConnectionTracker on %s", (backend) => {
  let db: TestDatabase;
  const tracker = (options: Partial<ConnectionTrackerOptions> = {}, sql: SqlClient = db.sql) =>
    new ConnectionTracker(
      { prisma: db.prisma, sql },
      new SubscriptionStore(sql, createMemoryBus()),
      {
        nodeId: "here",
        graceMs: 60_000,
        heartbeatMs: 30_000,
        maxConnectionsPerUser: 2,
        ...options,
      },
      logger,
    );
  const row = (id: string) => db.prisma.realtimeConnection.findUniqueOrThrow({ where: { id } });

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(() => db.close());
  beforeEach(() => db.reset());

  it("open - connections opened together count against the per-user limit together", async () => {
    const connections = tracker();
    const answers = await Promise.allSettled(
      ["a", "b", "c"].map((id) => connections.open(id, "u1", "socket.io")),
    );
    expect(answers.map((answer) => answer.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect((answers[2] as PromiseRejectedResult).reason).toMatchObject({ code: "LIMIT_EXCEEDED" });
    expect(await db.prisma.realtimeConnection.count({ where: { userId: "u1" } })).toBe(2);
    expect(await row("a")).toMatchObject({ nodeId: "here", protocol: "socket.io", userId: "u1" });
  });

  it("open - live connections on other nodes count; closed, stale and anonymous ones do not", async () => {
    const old = new Date(Date.now() - 600_000);
    await db.prisma.realtimeConnection.createMany({
      data: [
        { id: "elsewhere", userId: "u1", nodeId: "there" },
        { id: "closed", userId: "u1", nodeId: "there", disconnectedAt: new Date() },
        { id: "stale", userId: "u1", nodeId: "dead", lastSeenAt: old },
      ],
    });
    const connections = tracker();
    const answers = await Promise.allSettled([
      connections.open("x", "u1", "socket.io"),
      connections.open("y", "u1", "pusher"),
      connections.open("anon-1", null, "socket.io"),
      connections.open("anon-2", null, "socket.io"),
      connections.open("z", "u2", "socket.io"),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
  });

  it("close - connections closed together are marked closed together", async () => {
    const connections = tracker();
    await Promise.all(["a", "b", "c"].map((id) => connections.open(id, null, "socket.io")));
    await Promise.all(["a", "b"].map((id) => connections.close(id)));
    expect((await row("a")).disconnectedAt).toBeInstanceOf(Date);
    expect((await row("b")).disconnectedAt).toBeInstanceOf(Date);
    expect((await row("c")).disconnectedAt).toBeNull();
  });

  it("heartbeat - refreshes this node's open connections only, and retries a close that failed", async () => {
    let failCloses = 1;
    // The database refuses the first close, as during a brief outage.
    const flaky: SqlClient = {
      query(text, params) {
        if (text.includes("disconnected_at =") && failCloses-- > 0)
          return Promise.reject(new Error("database down"));
        return db.sql.query(text, params);
      },
    };
    const connections = tracker({ heartbeatMs: 100 }, flaky);
    await Promise.all(["open", "closing"].map((id) => connections.open(id, "u1", "socket.io")));
    const old = new Date(Date.now() - 60_000);
    await db.prisma.realtimeConnection.updateMany({ data: { lastSeenAt: old } });
    await db.prisma.realtimeConnection.create({
      data: { id: "other", nodeId: "there", lastSeenAt: old },
    });
    await expect(connections.close("closing")).rejects.toThrow("database down");
    connections.start();
    try {
      await eventually(async () => {
        expect((await row("open")).lastSeenAt.getTime()).toBeGreaterThan(old.getTime());
        expect((await row("closing")).disconnectedAt).toBeInstanceOf(Date);
      });
      expect((await row("other")).lastSeenAt).toEqual(old);
    } finally {
      connections.stop();
    }
  });
});
