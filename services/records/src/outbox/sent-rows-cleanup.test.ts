import { describe, expect, it } from "vitest";
import { SentRowsCleanup } from "./sent-rows-cleanup.ts";

// Records the statements a cleanup sends.
function recorder() {
  const statements: unknown[][] = [];
  return {
    statements,
    sql: {
      async query<Row>(sql: string, params: unknown[] = []) {
        statements.push([sql, ...params]);
        return [] as Row[];
      },
    },
  };
}

describe("SentRowsCleanup", () => {
  it("deletes, once a minute, the sent rows up to where publishing was kept-long ago", async () => {
    const { sql, statements } = recorder();
    const cleanup = new SentRowsCleanup(300_000, 60_000);
    await cleanup.tick(sql, 10n, 0);
    await cleanup.tick(sql, 20n, 30_000);
    for (let minute = 1; minute <= 5; minute++)
      await cleanup.tick(sql, BigInt(minute * 100), minute * 60_000);
    expect(statements).toEqual([
      ["DELETE FROM outbox WHERE seq <= $1 AND sent_at IS NOT NULL", "10"],
    ]);
    await cleanup.tick(sql, 600n, 6 * 60_000);
    expect(statements.at(-1)).toEqual([
      "DELETE FROM outbox WHERE seq <= $1 AND sent_at IS NOT NULL",
      "100",
    ]);
  });

  it("deletes nothing before anything was published", async () => {
    const { sql, statements } = recorder();
    const cleanup = new SentRowsCleanup(1_000, 100);
    for (let t = 0; t < 5_000; t += 100) await cleanup.tick(sql, undefined, t);
    expect(statements).toEqual([]);
  });
});
