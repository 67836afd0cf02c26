import { createMemoryBus } from "@tidings/bus";
import { newId, type SqlClient } from "@tidings/db";
import { openTestDatabase } from "@tidings/db/testing";
import { describe, expect, it } from "vitest";
import { userCache } from "./user-cache.ts";

describe("user cache", () => {
  it("reads users asked for together in one query, as Prisma would return them, misses included", async () => {
    await using db = await openTestDatabase("postgres");
    const ids = [newId(), newId(), newId()];
    for (const id of ids)
      await db.prisma.user.create({
        data: { id, email: `${id}@example.com`, passwordHash: "h", tokenKey: `k-${id}` },
      });
    let queries = 0;
    const counting: SqlClient = {
      query: (text, params) => {
        queries++;
        return db.sql.query(text, params);
      },
    };
    const bus = createMemoryBus({ prefix: `users${newId(6)}` });
    await bus.start();
    try {
      const cache = userCache(counting);
      cache.follow(bus);
      const found = await Promise.all(
        [...ids, "nobody", ids[0] as string].map((id) => cache.get(id)),
      );
      expect(queries).toBe(1);
      expect(found[3]).toBeUndefined();
      expect(found[0]).toEqual(await db.prisma.user.findUnique({ where: { id: ids[0] } }));
      expect(found[4]).toBe(found[0]);
      await cache.get(ids[1] as string);
      expect(queries).toBe(1);
    } finally {
      await bus.stop();
    }
  });
});
