import { randomBytes } from "node:crypto";
import pg from "pg";

/** Server that integration tests create their databases on. @default postgres://postgres@127.0.0.1:5432/postgres */
export const TEST_POSTGRES_ADMIN_URL =
  process.env.TIDINGS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A database of its own for one test or suite; dropped on dispose. */
export interface TestDatabase extends AsyncDisposable {
  /** Connection string of the new, empty database. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database on the local PostgreSQL and returns its URL. Use with `await using`
 * so it is dropped when the test ends, whatever the outcome.
 */
export async function withPostgres(): Promise<TestDatabase> {
  const name = `tidings_t_${randomBytes(6).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE template0`));
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  return { url: url.toString(), name, drop, [Symbol.asyncDispose]: drop };
}
