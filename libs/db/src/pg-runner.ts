import pg from "pg";
import { preparedQuery } from "./prepared.ts";
import type { SqlRunner } from "./sql-runner.ts";

/** A runner on one dedicated PostgreSQL session (advisory locks and LISTEN are per session). */
export async function connectPgRunner(connectionString: string): Promise<SqlRunner> {
  const client = new pg.Client({ connectionString });
  // An idle client whose server goes away emits "error"; unhandled, it would end the process.
  let fail: (error: Error) => void = () => {};
  const broken = new Promise<never>((_, reject) => {
    fail = reject;
  });
  broken.catch(() => {});
  client.on("error", (error) => fail(error));
  client.on("end", () => fail(new Error("the database session ended")));
  await client.connect();
  return {
    async exec(sql) {
      await client.query(sql);
    },
    query: <Row>(sql: string, params: unknown[] = []) => preparedQuery<Row>(client, sql, params),
    async listen(channel, onNotify) {
      const listener = (message: pg.Notification) => {
        if (message.channel === channel) onNotify();
      };
      client.on("notification", listener);
      await client.query(`LISTEN "${channel}"`);
      return async () => {
        client.off("notification", listener);
        await client.query(`UNLISTEN "${channel}"`).catch(() => {});
      };
    },
    broken,
    async close() {
      await client.end();
    },
  };
}
