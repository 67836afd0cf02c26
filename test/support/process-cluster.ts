import {
  type LocalCluster,
  type LocalClusterOptions,
  randomSecret,
  startLocalCluster,
} from "@tidings/local-cluster";
import { TEST_REDIS_URL, withNats, withPostgres } from "@tidings/testing";

/** A cluster of processes on a database of its own; dispose to stop it and drop the database. */
export interface ProcessCluster extends AsyncDisposable {
  cluster: LocalCluster;
}

/**
 * Starts one records, one evaluator and one gateway process (deploy/local) on the machine's
 * PostgreSQL (a fresh database), NATS and Redis (one prefix of its own for streams and keys), passing on
 * the processes' errors. `env` and `processEnv` as startLocalCluster takes them.
 */
export async function startProcessCluster(
  options: Pick<LocalClusterOptions, "processEnv" | "built"> & {
    env?: Record<string, string>;
  } = {},
): Promise<ProcessCluster> {
  const database = await withPostgres();
  // Streams under a prefix of its own on the shared NATS server, deleted on dispose: each stream
  // reserves its retention (1 GiB) against the server's storage, so left behind they fill it.
  const nats = await withNats();
  const cleanup = async () => {
    await nats.cleanup().catch(() => {});
    await database.drop();
  };
  try {
    const cluster = await startLocalCluster({
      records: 1,
      evaluators: 1,
      gateways: 1,
      entryPort: 0,
      basePort: 0,
      databaseUrl: database.url,
      natsUrl: nats.url,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: nats.prefix,
      jwtSecret: randomSecret(),
      env: { TIDINGS_NATS_PREFIX: nats.prefix, TIDINGS_LOG_LEVEL: "warn", ...options.env },
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
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
