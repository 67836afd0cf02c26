import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, isUniqueViolation } from "./db-errors.ts";
import { newId } from "./ids.ts";
import { openTestDatabase, type TestBackend } from "./testing.ts";

describe.each<TestBackend>(["postgres", "pglite"])("Database.sql on %s", (backend) => {
  it("runs parameterised statements on the connections Prisma uses, JSON and dates decoded", async () => {
    await using db = await openTestDatabase(backend);
    const id = newId();
    await db.sql.query(
      "INSERT INTO users (id, email, password_hash, token_key) VALUES ($1, $2, 'h', 'k')",
      [id, `${id}@example.com`],
    );
    expect(await db.prisma.user.findUnique({ where: { id } })).toMatchObject({ id });
    const [row] = await db.sql.query<{ data: unknown; at: Date }>(
      "SELECT $1::jsonb AS data, now() AS at",
      [JSON.stringify({ a: [1, "x"] })],
    );
    expect(row?.data).toEqual({ a: [1, "x"] });
    expect(row?.at).toBeInstanceOf(Date);
  });

  it("a broken unique constraint is recognised as such, not as an outage", async () => {
    await using db = await openTestDatabase(backend);
    const insert = (id: string) =>
      db.sql.query(
        "INSERT INTO users (id, email, password_hash, token_key) VALUES ($1, 'same@example.com', 'h', 'k')",
        [id],
      );
    await insert(newId());
    const error = await insert(newId()).catch((caught: unknown) => caught);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe("Database.sql errors", () => {
  it("a server that cannot be reached is an outage (retry), not a bad request", async () => {
    const pg = await import("pg");
    const pool = new pg.default.Pool({
      connectionString: "postgres://postgres@127.0.0.1:1/none",
      connectionTimeoutMillis: 2_000,
    });
    const error = await pool.query("SELECT 1").catch((caught: unknown) => caught);
    await pool.end();
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isUniqueViolation(error)).toBe(false);
    expect(isDatabaseUnavailable(new Error("syntax error"))).toBe(false);
  });
});
