import { startPgBouncer, withPostgres } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { newId } from "./ids.ts";
import { openDatabase } from "./open-database.ts";

// PgBouncer in transaction mode hands each transaction whichever server connection is free, so
// anything bound to a session (advisory locks, LISTEN, a statement prepared by name) is lost
// between statements. Debian 12 ships PgBouncer 1.18, which does not track prepared statements
// (1.21 added `max_prepared_statements`).
describe("PostgreSQL through PgBouncer in transaction mode", () => {
  it("with a direct URL: pooled statements work under concurrency, sessions bypass the pooler", async () => {
    await using pg = await withPostgres();
    await using bouncer = await startPgBouncer({ poolSize: 3 });
    const db = await openDatabase({
      url: bouncer.pooled(pg.url),
      directUrl: pg.url,
      poolSize: 8,
    });
    try {
      // The migrations ran on the direct session (under their advisory lock).
      expect(db.appliedMigrations.length).toBeGreaterThan(0);
      // Many clients on few server connections: each statement may land on another one.
      const ids = Array.from({ length: 40 }, () => newId());
      await Promise.all(
        ids.map((id) =>
          db.sql.query(
            "INSERT INTO users (id, email, password_hash, token_key) VALUES ($1, $2, 'h', 'k')",
            [id, `${id}@example.com`],
          ),
        ),
      );
      for (let round = 0; round < 3; round += 1) {
        const counts = await Promise.all(
          ids.map((id) =>
            db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE id = $1", [id]),
          ),
        );
        expect(counts.every(([row]) => row?.n === 1)).toBe(true);
      }
      expect(await db.prisma.user.count()).toBe(40);
      await db.prisma.$transaction(async (tx) => {
        await tx.user.update({
          where: { id: ids[0] as string },
          data: { name: "in a transaction" },
        });
      });

      // A session keeps its advisory lock and hears NOTIFY sent through the pooler.
      const holder = await db.openSession();
      const other = await db.openSession();
      try {
        const [held] = await holder.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(42) AS ok");
        expect(held?.ok).toBe(true);
        const [taken] = await other.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(42) AS ok");
        expect(taken?.ok).toBe(false);
        let heard = 0;
        await holder.listen("pooled_test", () => {
          heard += 1;
        });
        await db.sql.query("SELECT pg_notify('pooled_test', '')");
        await expect.poll(() => heard).toBe(1);
      } finally {
        await holder.close();
        await other.close();
      }
    } finally {
      await db.close();
    }
  });

  it("without a direct URL, named prepared statements break on this pooler (why the setting exists)", async () => {
    await using pg = await withPostgres();
    await using bouncer = await startPgBouncer({ poolSize: 3 });
    // Migrated directly first, so that only the pooled statements are under test.
    await (await openDatabase({ url: pg.url, poolSize: 1 })).close();
    const [major = 0, minor = 0] = bouncer.version;
    if (major > 1 || minor >= 21) return; // PgBouncer 1.21+ may track them (max_prepared_statements)
    const db = await openDatabase({ url: bouncer.pooled(pg.url), poolSize: 8 });
    try {
      const failures = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) =>
          db.sql.query("SELECT $1::int AS n, pg_sleep(0.001)", [i]),
        ),
      );
      expect(String(failures.find((result) => result.status === "rejected")?.reason)).toMatch(
        /prepared statement .* (does not exist|already exists)/,
      );
    } finally {
      await db.close();
    }
  });
});
