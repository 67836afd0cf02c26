import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withPostgres } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from "./migrate.ts";
import { connectPgRunner } from "./pg-runner.ts";

async function copyOfMigrations(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), "tidings-migrations-"));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

describe("migrate", () => {
  it("applies every migration once and records it where prisma migrate deploy looks", async () => {
    await using db = await withPostgres();
    const runner = await connectPgRunner(db.url);
    try {
      const names = (await readMigrations()).map((m) => m.name);
      expect(await migrate(runner)).toEqual(names);
      expect(await migrate(runner)).toEqual([]);
      const rows = await runner.query<{ migration_name: string; finished_at: Date | null }>(
        `SELECT migration_name, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    } finally {
      await runner.close();
    }
  });

  it("applies each migration once when replicas start together", async () => {
    await using db = await withPostgres();
    const runners = await Promise.all([1, 2, 3].map(() => connectPgRunner(db.url)));
    try {
      const results = await Promise.all(runners.map((r) => migrate(r)));
      const total = (await readMigrations()).length;
      expect(results.flat()).toHaveLength(total);
      const rows = await runners[0]!.query<{ count: string }>(
        `SELECT count(*) FROM "_prisma_migrations"`,
      );
      expect(Number(rows[0]?.count)).toBe(total);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  });

  it("refuses a migration edited after it was applied", async () => {
    await using db = await withPostgres();
    await using copy = await copyOfMigrations();
    const runner = await connectPgRunner(db.url);
    try {
      await migrate(runner, copy.dir);
      const [first] = await readMigrations(copy.dir);
      await writeFile(join(copy.dir, first!.name, "migration.sql"), `${first!.sql}\n-- edited\n`);
      await expect(migrate(runner, copy.dir)).rejects.toThrow(MigrationError);
    } finally {
      await runner.close();
    }
  });

  it("rolls back a failing migration entirely and records nothing", async () => {
    await using db = await withPostgres();
    await using copy = await copyOfMigrations();
    const runner = await connectPgRunner(db.url);
    try {
      await migrate(runner, copy.dir);
      const broken = join(copy.dir, "29990101000000_broken");
      await cp(join(copy.dir, (await readMigrations(copy.dir))[0]!.name), broken, {
        recursive: true,
      });
      await writeFile(
        join(broken, "migration.sql"),
        `CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";\n`,
      );
      await expect(migrate(runner, copy.dir)).rejects.toThrow(/29990101000000_broken failed/);
      const tables = await runner.query(`SELECT 1 FROM pg_tables WHERE tablename = 'half_done'`);
      expect(tables).toHaveLength(0);
      const recorded = await runner.query(
        `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
      );
      expect(recorded).toHaveLength(0);
    } finally {
      await runner.close();
    }
  });
});
