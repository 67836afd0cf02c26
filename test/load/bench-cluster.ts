import { resolve } from "node:path";
import { type LocalCluster, randomSecret, startLocalCluster } from "@tidings/local-cluster";
import {
  startNatsServer,
  startRedisServer,
  TEST_NATS_URL,
  TEST_REDIS_URL,
  withNats,
  withPostgres,
  withRedis,
} from "@tidings/testing";
import { createCollections, createUsers, SUPERUSER } from "./bench-users.ts";
import type { MemoryProbe } from "./memory-probe.ts";
import {
  pidsNamed,
  postgresAuxiliaries,
  postgresBackends,
  type WatchedProcess,
} from "./process-sampler.ts";
import type { BenchUser } from "./workload.ts";

/** The cluster's shape. */
export interface BenchClusterOptions {
  records: number;
  evaluators: number;
  gateways: number;
  /** Users to create (one per client at the largest client count). */
  users: number;
  /** More variables for every service (e.g. TIDINGS_DATABASE_POOL_SIZE). */
  env: Record<string, string>;
  /** Write a CPU profile of every service process into this folder when it exits (`--cpu-prof`). */
  cpuProfileDir?: string | undefined;
  /**
   * Run a NATS and a Redis server of the bench's own (so their CPU is the cluster's alone) instead
   * of the machine's shared ones.
   */
  ownServers: boolean;
  /** Preload the memory hook into every service. */
  memory?: MemoryProbe | undefined;
  log: (line: string) => void;
}

/** A running cluster with the bench's collections and users. */
export interface BenchCluster extends AsyncDisposable {
  cluster: LocalCluster;
  /** Base URLs of the records replicas and of the gateways (bypassing the entry proxy). */
  recordsUrls: string[];
  gatewayUrls: string[];
  users: BenchUser[];
  /** The cluster's processes, its share of PostgreSQL, NATS and Redis: its CPU per write. */
  watched(): WatchedProcess[];
}

const CPU_PROFILE_HOOK = new URL("./cpu-profile.mjs", import.meta.url).href;

/**
 * Variables that preload the CPU profile and memory hooks into a service, as asked, after any
 * Node options given with `--env NODE_OPTIONS=…` (which they would otherwise replace).
 */
export function hookEnv(
  cpuProfileDir: string | undefined,
  memory: MemoryProbe | undefined,
  nodeOptions = "",
): Record<string, string> {
  const profile: Record<string, string> = cpuProfileDir
    ? {
        NODE_OPTIONS: `${nodeOptions} --import ${CPU_PROFILE_HOOK}`.trim(),
        LOAD_BENCH_CPU_PROFILE_DIR: resolve(cpuProfileDir),
      }
    : {};
  return { ...profile, ...(memory?.env(profile.NODE_OPTIONS ?? nodeOptions) ?? {}) };
}

/** PostgreSQL's share of a deployment: its database's backends, and the server's own processes. */
export function postgresWatched(database: string): WatchedProcess[] {
  return [
    { name: "postgres (backends)", role: "system", pids: () => postgresBackends(database) },
    { name: "postgres (shared aux)", role: "system", pids: postgresAuxiliaries },
  ];
}

/**
 * Starts records, evaluator and gateway processes (deploy/local) on the machine's PostgreSQL, and
 * NATS and Redis (the bench's own, or the machine's), in a database, stream prefix and key prefix
 * of their own, and sets up the collections and the users. Dispose to stop everything and drop
 * the database.
 */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const pg = await withPostgres();
  const ownNats = options.ownServers ? await startNatsServer() : undefined;
  const ownRedis = options.ownServers ? await startRedisServer() : undefined;
  const nats = await withNats(ownNats?.url ?? TEST_NATS_URL);
  const redis = await withRedis(ownRedis?.url ?? TEST_REDIS_URL);
  const jwtSecret = randomSecret();
  let cluster: LocalCluster | undefined;
  const dispose = async () => {
    await cluster?.stop();
    await nats.cleanup().catch(() => {});
    await ownNats?.[Symbol.asyncDispose]();
    await ownRedis?.[Symbol.asyncDispose]();
    await pg.drop();
  };
  try {
    cluster = await startLocalCluster({
      records: options.records,
      evaluators: options.evaluators,
      gateways: options.gateways,
      entryPort: 0,
      basePort: 0,
      databaseUrl: pg.url,
      natsUrl: nats.url,
      redisUrl: redis.url,
      jwtSecret,
      env: {
        TIDINGS_NATS_PREFIX: nats.prefix,
        TIDINGS_REDIS_PREFIX: redis.prefix,
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
        TIDINGS_LOG_LEVEL: "warn",
        ...options.env,
        ...hookEnv(options.cpuProfileDir, options.memory, options.env.NODE_OPTIONS),
      },
      output: (line) => {
        if (line.includes('"level":50') || line.includes('"level":60'))
          options.log(line.slice(0, 400));
      },
    });
    const running = cluster;
    const urlOf = (kind: string) =>
      running.services
        .filter((service) => service.name.startsWith(`${kind}-`))
        .map((service) => `http://127.0.0.1:${service.port}`);
    const recordsUrls = urlOf("records");
    const gatewayUrls = urlOf("gateway");
    await createCollections(recordsUrls[0] as string);
    const users = await createUsers(recordsUrls[0] as string, options.users);
    options.log(
      `cluster up: ${recordsUrls.length} records, ${urlOf("evaluator").length} evaluators, ${gatewayUrls.length} gateways; ${users.length} users; ${options.ownServers ? "its own" : "the machine's"} NATS and Redis`,
    );
    const natsPids = () => pidsNamed("nats-server", ownNats ? `-p ${ownNats.port}` : undefined);
    const redisPids = () => pidsNamed("redis-server", ownRedis ? `:${ownRedis.port}` : undefined);
    return {
      cluster,
      recordsUrls,
      gatewayUrls,
      users,
      // Services are looked up each time: a killed and restarted one has a new pid.
      watched: () => [
        ...running.services.map((service) => ({
          name: service.name,
          role: "system" as const,
          pids: [service.child.pid as number],
        })),
        ...postgresWatched(pg.name),
        { name: ownNats ? "nats-server" : "nats-server (shared)", role: "system", pids: natsPids },
        {
          name: ownRedis ? "redis-server" : "redis-server (shared)",
          role: "system",
          pids: redisPids,
        },
      ],
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
