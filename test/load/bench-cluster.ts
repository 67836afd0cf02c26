import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { newId, openDatabase } from "@tidings/db";
import { type LocalCluster, randomSecret, startLocalCluster } from "@tidings/local-cluster";
import { createTokenService } from "@tidings/records";
import { TEST_NATS_URL, TEST_REDIS_URL, withNats, withPostgres, withRedis } from "@tidings/testing";
import { type BenchUser, FEED_COLLECTION, NEWS_COLLECTION } from "./workload.ts";

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
  log: (line: string) => void;
}

/** A running cluster with the bench's collections and users. */
export interface BenchCluster extends AsyncDisposable {
  cluster: LocalCluster;
  /** Base URLs of the records replicas and of the gateways (bypassing the entry proxy). */
  recordsUrls: string[];
  gatewayUrls: string[];
  users: BenchUser[];
}

const CPU_PROFILE_HOOK = new URL("./cpu-profile.mjs", import.meta.url).href;
const SUPERUSER = { email: "load-bench@example.com", password: "load-bench-password" };

async function post(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/**
 * Creates the users straight in the database, with tokens signed as the records service signs
 * them: registering 10,000 users over REST would hash 10,000 passwords (scrypt, slow on purpose).
 * They are real rows, so every token check and rule the bench exercises is the real one; they all
 * share the superuser's password hash.
 */
async function createUsers(
  databaseUrl: string,
  jwtSecret: string,
  count: number,
): Promise<BenchUser[]> {
  const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
  try {
    const template = await db.prisma.user.findUniqueOrThrow({ where: { email: SUPERUSER.email } });
    const tokens = createTokenService({ secret: jwtSecret, ttlSeconds: 86_400 }, db.prisma);
    const rows = Array.from({ length: count }, (_, i) => ({
      id: newId(),
      email: `load-${i}@example.com`,
      passwordHash: template.passwordHash,
      tokenKey: randomBytes(24).toString("base64url"),
    }));
    for (let i = 0; i < rows.length; i += 1_000)
      await db.prisma.user.createMany({ data: rows.slice(i, i + 1_000) });
    return await Promise.all(
      rows.map(async (row) => ({ id: row.id, token: await tokens.issue(row) })),
    );
  } finally {
    await db.close();
  }
}

/**
 * Starts records, evaluator and gateway processes (deploy/local) on the machine's PostgreSQL,
 * NATS and Redis, in a database, stream prefix and key prefix of their own, and sets up the two
 * feeds and the users. Dispose to stop everything and drop the database.
 */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const pg = await withPostgres();
  const nats = await withNats();
  const redis = await withRedis();
  const jwtSecret = randomSecret();
  let cluster: LocalCluster | undefined;
  const dispose = async () => {
    await cluster?.stop();
    await nats.cleanup();
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
      natsUrl: TEST_NATS_URL,
      redisUrl: TEST_REDIS_URL,
      jwtSecret,
      env: {
        TIDINGS_NATS_PREFIX: nats.prefix,
        TIDINGS_REDIS_PREFIX: redis.prefix,
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
        TIDINGS_LOG_LEVEL: "warn",
        ...options.env,
        ...(options.cpuProfileDir
          ? {
              NODE_OPTIONS: `--import ${CPU_PROFILE_HOOK}`,
              LOAD_BENCH_CPU_PROFILE_DIR: resolve(options.cpuProfileDir),
            }
          : {}),
      },
      output: (line) => {
        if (line.includes('"level":50') || line.includes('"level":60'))
          options.log(line.slice(0, 400));
      },
    });
    const urlOf = (kind: string) =>
      (cluster as LocalCluster).services
        .filter((service) => service.name.startsWith(`${kind}-`))
        .map((service) => `http://127.0.0.1:${service.port}`);
    const recordsUrls = urlOf("records");
    const gatewayUrls = urlOf("gateway");
    const login = await post(`${recordsUrls[0]}/api/auth/login`, SUPERUSER);
    for (const collection of [FEED_COLLECTION, NEWS_COLLECTION])
      await post(`${recordsUrls[0]}/api/collections`, collection, login.token as string);
    const users = await createUsers(pg.url, jwtSecret, options.users);
    options.log(
      `cluster up: ${recordsUrls.length} records, ${gatewayUrls.length} gateways; ${users.length} users`,
    );
    return { cluster, recordsUrls, gatewayUrls, users, [Symbol.asyncDispose]: dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
