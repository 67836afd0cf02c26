export { DataDirInUseError } from "./data-dir-lock.ts";
export { isDatabaseUnavailable, isUniqueViolation } from "./db-errors.ts";
export type {
  Collection,
  OutboxEvent,
  RealtimeConnection,
  RealtimeSubscription,
  Record as RecordRow,
  User,
} from "./generated/prisma/client.ts";
export { Prisma, PrismaClient } from "./generated/prisma/client.ts";
export { newId } from "./ids.ts";
export { MigrationError, migrate, readMigrations } from "./migrate.ts";
export {
  type Database,
  type DatabaseOptions,
  migrateDatabase,
  openDatabase,
} from "./open-database.ts";
export { ensurePrivateDir } from "./private-dir.ts";
export type { SqlClient, SqlRunner } from "./sql-runner.ts";
