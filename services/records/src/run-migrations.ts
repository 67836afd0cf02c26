import { migrateDatabase } from "@tidings/db";
import { ConfigError, envValue, type Logger, parseEnv } from "@tidings/service";

/**
 * What the migration entry point reads: the records service's database variables (a Job given
 * the whole records environment ignores the rest).
 */
export const migrateEnv = {
  TIDINGS_DATABASE_URL: envValue.url(["postgres:", "postgresql:"]),
  TIDINGS_DATABASE_DIRECT_URL: envValue.url(["postgres:", "postgresql:"]),
  TIDINGS_LOG_LEVEL: envValue.logLevel(),
};

/**
 * Applies the pending migrations to the database of TIDINGS_DATABASE_URL (through
 * TIDINGS_DATABASE_DIRECT_URL when set: the migrator holds a session-level advisory lock, which a
 * pooler in transaction mode would not keep) and returns their names.
 */
export async function runMigrations(env: NodeJS.ProcessEnv, logger: Logger): Promise<string[]> {
  const { values } = parseEnv(migrateEnv, env);
  const url = values.TIDINGS_DATABASE_DIRECT_URL ?? values.TIDINGS_DATABASE_URL;
  if (!url) {
    throw new ConfigError(
      "invalid configuration:\n  TIDINGS_DATABASE_URL: required to migrate (PGlite migrates itself at start)",
    );
  }
  const applied = await migrateDatabase(url);
  logger.info(
    { applied },
    applied.length > 0
      ? `applied ${applied.length} migration(s)`
      : "the schema is up to date: nothing to apply",
  );
  return applied;
}
