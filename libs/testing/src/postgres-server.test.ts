import pg from "pg";
import { describe, expect, it } from "vitest";
import { startPostgresServer } from "./postgres-server.ts";

describe("startPostgresServer", () => {
  it("runs a PostgreSQL of the test's own that can be stopped and started again", async () => {
    await using server = await startPostgresServer();
    const query = async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        return (await client.query("select 1 as one")).rows[0].one;
      } finally {
        await client.end();
      }
    };
    expect(await query()).toBe(1);
    await server.stop();
    await expect(query()).rejects.toThrow();
    await server.start();
    expect(await query()).toBe(1);
  });
});
