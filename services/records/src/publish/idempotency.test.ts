import { describe, expect, it } from "vitest";
import { ORDERS, outboxRows } from "../testing/publish-fixtures.ts";
import { useRecordsHarness } from "../testing/records-harness.ts";
import { createIdempotencySweeper, IDEMPOTENCY_RETENTION_MS } from "./idempotency-keys.ts";

const event = (id: string, idempotencyKey?: string) => ({
  collection: "orders",
  action: "created",
  record: { id, title: id },
  ...(idempotencyKey && { idempotencyKey }),
});

const silent = { warn: () => {} };

describe.each(["postgres", "pglite"] as const)("publish idempotency on %s", (backend) => {
  const h = useRecordsHarness(backend);

  it("publish - a repeated key is accepted once", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    expect((await publish(event("a", "k1"))).body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await publish(event("a", "k1"))).body).toEqual({ accepted: 0, duplicates: 1 });
    const batch = await publish({ events: [event("a", "k1"), event("b", "k2"), event("c")] });
    expect(batch).toMatchObject({ status: 202, body: { accepted: 2, duplicates: 1 } });
    expect((await outboxRows(db)).map((r) => r.recordId)).toEqual(["a", "b", "c"]);
  });

  it("publish - a key repeated inside one batch counts its first event only", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const answer = await publish({
      events: [event("a", "k"), event("b"), event("c", "k"), event("d", "k2"), event("e", "k2")],
    });
    expect(answer.body).toEqual({ accepted: 3, duplicates: 2 });
    expect((await outboxRows(db)).map((r) => r.recordId)).toEqual(["a", "b", "d"]);
  });

  it("publish - of concurrent requests with one key, exactly one is accepted", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        publish({ events: [event(`r${i}`, "shared"), event(`own${i}`, `own-${i}`)] }),
      ),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(answers.map((a) => a.body.accepted).sort()).toEqual([1, 1, 1, 1, 1, 1, 1, 2]);
    expect(answers.reduce((n, a) => n + a.body.duplicates, 0)).toBe(7);
    const rows = await outboxRows(db);
    expect(rows.filter((r) => r.recordId.startsWith("r"))).toHaveLength(1);
    expect(rows).toHaveLength(9);
  });

  it("publish - a refused batch claims none of its keys", async () => {
    const { collection, publish } = h();
    await collection(ORDERS);
    await publish({ events: [event("a", "k"), { ...event("b"), record: { id: "b" } }] });
    expect((await publish(event("a", "k"))).body).toEqual({ accepted: 1, duplicates: 0 });
  });

  it("sweeper - deletes keys past the retention, after which a key is accepted again", async () => {
    const { collection, db, publish } = h();
    await collection(ORDERS);
    await publish(event("a", "old"));
    await publish(event("b", "new"));
    await db.prisma.publishIdempotencyKey.update({
      where: { key: "old" },
      data: { created: new Date(Date.now() - IDEMPOTENCY_RETENTION_MS - 1_000) },
    });
    const sweeper = createIdempotencySweeper(db.prisma, silent);
    expect(await sweeper.sweep()).toBe(1);
    expect((await publish(event("a", "old"))).body).toEqual({ accepted: 1, duplicates: 0 });
    expect((await publish(event("b", "new"))).body).toEqual({ accepted: 0, duplicates: 1 });
  });

  it("sweeper - start sweeps at once and on every interval; stop ends it", async () => {
    const { db } = h();
    const sweeper = createIdempotencySweeper(db.prisma, silent, {
      retentionMs: 50,
      intervalMs: 20,
    });
    await db.prisma.publishIdempotencyKey.create({ data: { key: "k1" } });
    sweeper.start();
    await expect.poll(() => db.prisma.publishIdempotencyKey.count()).toBe(0);
    await db.prisma.publishIdempotencyKey.create({ data: { key: "k2" } });
    await expect.poll(() => db.prisma.publishIdempotencyKey.count()).toBe(0);
    await sweeper.stop();
    await db.prisma.publishIdempotencyKey.create({ data: { key: "k3" } });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await db.prisma.publishIdempotencyKey.count()).toBe(1);
  });
});
