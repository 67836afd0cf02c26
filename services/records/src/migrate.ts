import { createLogger } from "@tidings/service";
import { migrateEnv, runMigrations } from "./run-migrations.ts";

// Entry point that applies the database migrations and exits: 0 when the schema is up to date,
// 1 otherwise. The chart runs it as a pre-install/pre-upgrade Job, the one thing with DDL rights;
// records then start with TIDINGS_DATABASE_MIGRATE=false. `npm run migrate -w @tidings/records`.
const level = migrateEnv.TIDINGS_LOG_LEVEL.safeParse(process.env.TIDINGS_LOG_LEVEL || undefined);
const logger = createLogger(level.success ? level.data : "info");
try {
  await runMigrations(process.env, logger);
} catch (error) {
  logger.error({ err: error }, "migrations failed");
  process.exitCode = 1;
}
