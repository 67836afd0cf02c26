import { randomBytes } from "node:crypto";
import {
  type LocalCluster,
  type LocalClusterOptions,
  randomSecret,
  startLocalCluster,
} from "@tidings/local-cluster";
import { TEST_NATS_URL, TEST_REDIS_URL, withPostgres } from "@tidings/testing";

/** A cluster of processes on a database of its own; dispose to stop it and drop the database. */
export interface ProcessCluster extends AsyncDisposable {
  cluster: LocalCluster;
}

/**
 * Starts one records, one evaluator and one gateway process (deploy/local) on the machine's
 * PostgreSQL (a fresh database), NATS and Redis (a stream and key prefix of its own), passing on
 * the processes' errors. `env` and `processEnv` as startLocalCluster takes them.
 */
export async function startProcessCluster(
  options: Pick<LocalClusterOptions, "processEnv" | "built"> & {
    env?: Record<string, string>;
  } = {},
): Promise<ProcessCluster> {
  const database = await withPostgres();
  const prefix = `procs_${randomBytes(4).toString("hex")}`;
  try {
    const cluster = await startLocalCluster({
      records: 1,
      evaluators: 1,
      gateways: 1,
      entryPort: 0,
      basePort: 0,
      databaseUrl: database.url,
      natsUrl: TEST_NATS_URL,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: prefix,
      jwtSecret: randomSecret(),
      env: { TIDINGS_NATS_PREFIX: prefix, TIDINGS_LOG_LEVEL: "warn", ...options.env },
      ...(options.processEnv ? { processEnv: options.processEnv } : {}),
      ...(options.built ? { built: true } : {}),
      output: (line) => {
        if (/"level":(50|60)/.test(line)) console.error(line);
      },
    });
    return {
      cluster,
      async [Symbol.asyncDispose]() {
        await cluster.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
