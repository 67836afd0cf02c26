import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readMigrations } from "@tidings/db";
import { connectPgRunner } from "@tidings/db/internal";
import { ConfigError } from "@tidings/service";
import { SOURCE_EXEC_ARGV, withPostgres } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { runMigrations } from "./run-migrations.ts";
import { startRecords } from "./start-records.ts";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Runs the migration entry point (`npm run migrate`) as its own process. */
function migrateProcess(databaseUrl: string) {
  return run(process.execPath, [...SOURCE_EXEC_ARGV, "src/migrate.ts"], {
    cwd: packageDir,
    env: { PATH: process.env.PATH, TIDINGS_DATABASE_URL: databaseUrl, TIDINGS_LOG_LEVEL: "info" },
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

async function tablesOf(url: string): Promise<string[]> {
  const session = await connectPgRunner(url);
  try {
    const rows = await session.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    return rows.map((row) => row.name);
  } finally {
    await session.close();
  }
}

describe("migrations apart from the service", () => {
  it("records with TIDINGS_DATABASE_MIGRATE=false refuse an unmigrated database and create nothing; the entry point migrates and exits", async () => {
    await using db = await withPostgres();
    const config = loadConfig({
      TIDINGS_DATABASE_URL: db.url,
      TIDINGS_DATABASE_MIGRATE: "false",
      TIDINGS_JWT_SECRET: "test-secret-of-at-least-thirty-two-characters",
      TIDINGS_GRPC_PORT: "0",
      TIDINGS_LOG_LEVEL: "silent",
    });
    expect(config.database).toMatchObject({ migrate: false });
    await expect(startRecords(config)).rejects.toThrow(/schema is behind this version/);
    expect(await tablesOf(db.url)).toEqual([]);

    const migrated = await migrateProcess(db.url);
    expect(migrated.code).toBe(0);
    const all = (await readMigrations()).map((migration) => migration.name);
    expect(migrated.stdout).toContain(`applied ${all.length} migration(s)`);
    expect(await tablesOf(db.url)).toContain("_prisma_migrations");
    // Run again (every upgrade runs the Job): nothing to apply.
    expect(await runMigrations({ TIDINGS_DATABASE_URL: db.url }, silent)).toEqual([]);

    const records = await startRecords(config);
    await records.stop();
  });

  it("fails, with exit code 1, when the database cannot be migrated; needs a database URL", async () => {
    const failed = await migrateProcess("postgres://postgres@127.0.0.1:1/nowhere");
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/migrations failed/);
    await expect(runMigrations({}, silent)).rejects.toThrow(ConfigError);
    await expect(runMigrations({}, silent)).rejects.toThrow(/TIDINGS_DATABASE_URL: required/);
  });
});
