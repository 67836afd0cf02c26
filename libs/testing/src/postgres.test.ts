import pg from "pg";
import { describe, expect, it } from "vitest";
import { withPostgres } from "./postgres.ts";

describe("withPostgres", () => {
  it("gives a fresh database and drops it on dispose", async () => {
    let name = "";
    {
      await using db = await withPostgres();
      name = db.name;
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query("select current_database() as name");
      await client.end();
      expect(rows[0].name).toBe(db.name);
    }
    const admin = new pg.Client({
      connectionString: "postgres://postgres@127.0.0.1:5432/postgres",
    });
    await admin.connect();
    const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [name]);
    await admin.end();
    expect(rowCount).toBe(0);
  });
});
