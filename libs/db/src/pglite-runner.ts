import type { PGlite } from "@electric-sql/pglite";
import type { SqlRunner } from "./sql-runner.ts";

/** A runner over an open PGlite instance; closing it leaves the instance open. */
export function pgliteRunner(db: PGlite): SqlRunner {
  return {
    async exec(sql) {
      await db.exec(sql);
    },
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await db.query<Row>(sql, params);
      return result.rows;
    },
    async listen(channel, onNotify) {
      return db.listen(channel, () => onNotify());
    },
    // In-process: there is no connection to break.
    broken: new Promise<never>(() => {}),
    async close() {},
  };
}
