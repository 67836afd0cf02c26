import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { lockDataDir } from "./data-dir-lock.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { MigrationError, migrate, pendingMigrations } from "./migrate.ts";
import { connectPgRunner } from "./pg-runner.ts";
import { startPgliteMaintenance } from "./pglite-maintenance.ts";
import { pgliteRunner } from "./pglite-runner.ts";
import { preparedQuery, unnamedQuery } from "./prepared.ts";
import { ensurePrivateDir, restrictTree } from "./private-dir.ts";
import type { SqlClient, SqlRunner } from "./sql-runner.ts";

/** Where the data lives: a PostgreSQL server, or an embedded PGlite directory. */
export type DatabaseOptions =
  | {
      /** postgres:// connection string. */
      url: string;
      /** Connections in the pool. @default 10 */
      poolSize?: number;
      /**
       * A direct (unpooled) connection string for what is bound to a session: the migrator's and
       * the outbox relay's advisory locks, LISTEN ({@link Database.openSession}). Set it when `url`
       * goes through a pooler in transaction mode (PgBouncer); the pool's statements are then
       * unnamed, since PgBouncer before 1.21 loses named prepared statements between transactions.
       * @default url (no pooler: named statements, sessions on `url`)
       */
      directUrl?: string;
      /**
       * Apply pending migrations (the records service), or only check that none is pending and
       * refuse to open otherwise (gateways and evaluators). @default true
       */
      migrate?: boolean;
    }
  | {
      /** Folder for the embedded database, or "memory://" for one that vanishes on close. */
      dataDir: string;
    };

/** An open database with the schema migrated. */
export interface Database {
  readonly kind: "postgres" | "pglite";
  readonly prisma: PrismaClient;
  /** Raw statements on the same connections as {@link Database.prisma}, for hot paths. */
  readonly sql: SqlClient;
  /** Names of the migrations this open applied (empty when the schema was current). */
  readonly appliedMigrations: string[];
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * A session of its own (PostgreSQL: a dedicated connection; PGlite: the one there is) for what
   * is bound to a session: advisory locks, LISTEN. Close it when done.
   */
  openSession(): Promise<SqlRunner>;
  close(): Promise<void>;
}

/**
 * Opens the database, applies pending migrations (or, with `migrate: false`, refuses a schema
 * that is behind), and returns a Prisma client over the right driver adapter. PostgreSQL in a
 * cluster; PGlite in single-node mode, with the same schema and the same generated client.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return "url" in options
    ? openPostgres(options.url, options.poolSize ?? 10, options.migrate ?? true, options.directUrl)
    : openPglite(options.dataDir);
}

/**
 * Applies the pending migrations on a session of its own and returns their names: what the
 * migration entry point (a Kubernetes Job, the one thing with DDL rights) runs. `url` must reach
 * PostgreSQL directly (the migrator holds an advisory lock for the whole run).
 */
export async function migrateDatabase(url: string): Promise<string[]> {
  const runner = await connectPgRunner(url);
  try {
    return await migrate(runner);
  } finally {
    await runner.close();
  }
}

// Applies the pending migrations, or only checks that there are none.
async function prepareSchema(runner: SqlRunner, apply: boolean): Promise<string[]> {
  if (apply) return migrate(runner);
  const pending = await pendingMigrations(runner);
  if (pending.length > 0) {
    throw new MigrationError(
      `the database schema is behind this version: ${pending.length} migration(s) not applied (the newest: ${pending.at(-1)}). The records service applies them when it starts (in Kubernetes, the chart's migration Job): start it first, then this process.`,
    );
  }
  return [];
}

async function openPostgres(
  url: string,
  poolSize: number,
  apply: boolean,
  directUrl: string | undefined,
): Promise<Database> {
  // Sessions (advisory locks, LISTEN) bypass a pooler; without one, everything uses `url`.
  const sessionUrl = directUrl ?? url;
  const runner = await connectPgRunner(sessionUrl);
  let appliedMigrations: string[];
  try {
    appliedMigrations = await prepareSchema(runner, apply);
  } finally {
    await runner.close();
  }
  // One pool for Prisma and the raw hot-path statements, so both count against one limit.
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle connection whose server goes away emits "error"; unhandled, it would end the process.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  // Behind a pooler in transaction mode the next statement may run on another server connection,
  // where a statement prepared by name does not exist: the pool's statements stay unnamed there.
  const run = directUrl === undefined ? preparedQuery : unnamedQuery;
  const sql: SqlClient = {
    query: <Row>(text: string, params: unknown[] = []) => run<Row>(pool, text, params),
  };
  return wrap(
    "postgres",
    { prisma, sql },
    appliedMigrations,
    () => connectPgRunner(sessionUrl),
    async () => {
      await pool.end().catch(() => {});
    },
  );
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith("memory://");
  let unlock = async () => {};
  const pgdata = join(dataDir, "pgdata");
  if (!inMemory) {
    await ensurePrivateDir(dataDir);
    unlock = await lockDataDir(dataDir);
  }
  try {
    const pglite = new PGlite(inMemory ? dataDir : pgdata);
    await pglite.waitReady;
    const appliedMigrations = await migrate(pgliteRunner(pglite));
    if (!inMemory) await restrictTree(pgdata);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite as never) });
    const runner = pgliteRunner(pglite);
    const stopMaintenance = startPgliteMaintenance(pglite);
    return wrap(
      "pglite",
      { prisma, sql: runner },
      appliedMigrations,
      async () => pgliteRunner(pglite),
      async () => {
        await stopMaintenance();
        await pglite.close();
        if (!inMemory) await restrictTree(pgdata);
        await unlock();
      },
    );
  } catch (error) {
    await unlock();
    throw error;
  }
}

function wrap(
  kind: Database["kind"],
  { prisma, sql }: { prisma: PrismaClient; sql: SqlClient },
  appliedMigrations: string[],
  openSession: () => Promise<SqlRunner>,
  closeDriver: () => Promise<void>,
): Database {
  return {
    kind,
    prisma,
    sql,
    appliedMigrations,
    openSession,
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    async close() {
      await prisma.$disconnect();
      await closeDriver();
    },
  };
}
