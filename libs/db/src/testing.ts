import { withPostgres } from "@tidings/testing";
import { type Database, openDatabase } from "./open-database.ts";

/** Which database a test suite runs on: the same suites run on both. */
export type TestBackend = "postgres" | "pglite";

/** A migrated database for one test file, emptied between tests with `reset()`. */
export interface TestDatabase extends Database, AsyncDisposable {
  /** Empties every table, so the next test starts from a fresh, migrated database. */
  reset(): Promise<void>;
}

const TABLES = [
  "outbox",
  "publish_idempotency_keys",
  "realtime_subscriptions",
  "realtime_connections",
  "velo_channels",
  "records",
  "collections",
  "users",
];

/** Opens a fresh, migrated database of the given kind; dropped (or discarded) on dispose. */
export async function openTestDatabase(backend: TestBackend): Promise<TestDatabase> {
  const server = backend === "postgres" ? await withPostgres() : undefined;
  const db = await openDatabase(
    server ? { url: server.url, poolSize: 4 } : { dataDir: "memory://" },
  );
  const dispose = async () => {
    await db.close();
    await server?.drop();
  };
  return {
    ...db,
    ping: () => db.ping(),
    close: dispose,
    async reset() {
      await db.prisma.$executeRawUnsafe(
        `TRUNCATE ${TABLES.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`,
      );
    },
    [Symbol.asyncDispose]: dispose,
  };
}
