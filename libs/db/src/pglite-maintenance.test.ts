import { PGlite } from "@electric-sql/pglite";
import { eventually } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { startPgliteMaintenance } from "./pglite-maintenance.ts";

describe("PGlite maintenance", () => {
  it("vacuums and analyses, which single-user mode's autovacuum never does", async () => {
    const pglite = new PGlite("memory://");
    await pglite.waitReady;
    try {
      await pglite.exec("CREATE TABLE t (id int PRIMARY KEY, v int)");
      await pglite.exec("INSERT INTO t SELECT g, 0 FROM generate_series(1, 2000) g");
      await pglite.exec("UPDATE t SET v = 1");
      const stats = async () =>
        (
          await pglite.query<{ vacuumed: Date | null; analysed: Date | null }>(
            "SELECT last_vacuum AS vacuumed, last_analyze AS analysed FROM pg_stat_user_tables WHERE relname = 't'",
          )
        ).rows[0];
      // Nothing else ever vacuums here: autovacuum is "on" but has no launcher in single-user mode.
      expect(await stats()).toEqual({ vacuumed: null, analysed: null });
      const stop = startPgliteMaintenance(pglite, { vacuumMs: 50, analyzeMs: 80 });
      await eventually(async () => {
        const now = await stats();
        expect(now?.vacuumed).toBeInstanceOf(Date);
        expect(now?.analysed).toBeInstanceOf(Date);
      });
      await stop();
    } finally {
      await pglite.close();
    }
  });
});
