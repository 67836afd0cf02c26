import { randomBytes } from "node:crypto";
import pg from "pg";

/** A login role of a test's own that may read and write a database's tables but change no schema. */
export interface DmlRole extends AsyncDisposable {
  readonly name: string;
  /** The database's URL, logging in as this role. */
  readonly url: string;
}

async function asOwner<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a role with what a service needs at run time on an already migrated database, and no
 * more: CONNECT, USAGE on the public schema, SELECT/INSERT/UPDATE/DELETE on its tables and USAGE
 * on its sequences; no CREATE anywhere (the public schema's CREATE is revoked from PUBLIC, as
 * PostgreSQL 15 does by default). `databaseUrl` logs in as the owner. Dropped on dispose.
 */
export async function withDmlRole(databaseUrl: string): Promise<DmlRole> {
  const name = `tidings_dml_${randomBytes(5).toString("hex")}`;
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await asOwner(databaseUrl, async (client) => {
    await client.query(`CREATE ROLE "${name}" LOGIN`);
    await client.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    await client.query(`GRANT CONNECT ON DATABASE "${database}" TO "${name}"`);
    await client.query(`GRANT USAGE ON SCHEMA public TO "${name}"`);
    await client.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${name}"`,
    );
    await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "${name}"`);
  });
  const url = new URL(databaseUrl);
  url.username = name;
  url.password = "";
  const drop = async () => {
    const admin = new URL(databaseUrl);
    admin.pathname = "/postgres";
    await asOwner(databaseUrl, async (client) => {
      await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
        [name],
      );
      await client.query(`DROP OWNED BY "${name}"`);
    }).catch(() => {});
    await asOwner(admin.toString(), (client) => client.query(`DROP ROLE IF EXISTS "${name}"`));
  };
  return { name, url: url.toString(), [Symbol.asyncDispose]: drop };
}
