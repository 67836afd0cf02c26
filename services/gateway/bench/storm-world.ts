// What the connect storm runs against: a database, stream prefix and key prefix of its own on the
// machine's PostgreSQL, NATS and Redis; a records service and an evaluator as processes
// (deploy/local); the two feeds as collections; and users with tokens.
import { randomBytes } from "node:crypto";
import { createTokenService } from "@tidings/auth";
import { newId, openDatabase } from "@tidings/db";
import { type LocalCluster, randomSecret, startLocalCluster } from "@tidings/local-cluster";
import { TEST_NATS_URL, TEST_REDIS_URL, withNats, withPostgres, withRedis } from "@tidings/testing";

/** A bench user: its id and a token signed as the records service signs them. */
export interface BenchUser {
  id: string;
  token: string;
}

/** The bench's services and users; dispose to stop them and drop the database. */
export interface StormWorld extends AsyncDisposable {
  recordsUrl: string;
  users: BenchUser[];
  /** The environment of a gateway process of this world. */
  gatewayEnv: Record<string, string>;
}

const SUPERUSER = { email: "connect-storm@example.com", password: "connect-storm-password" };

const FEED = {
  name: "feed",
  fields: [
    { name: "owner", type: "relation", collection: "users", required: true },
    { name: "status", type: "text" },
    { name: "n", type: "number" },
  ],
  listRule: "owner = @request.auth.id",
  viewRule: "owner = @request.auth.id",
  createRule: "owner = @request.auth.id",
};
const NEWS = {
  name: "news",
  fields: [{ name: "n", type: "number" }],
  listRule: "",
  viewRule: "",
  createRule: '@request.auth.id != ""',
};

async function post(url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
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

// Straight into the database: registering 10,000 users over REST would hash 10,000 passwords.
async function createUsers(databaseUrl: string, secret: string, count: number) {
  const db = await openDatabase({ url: databaseUrl, poolSize: 2 });
  try {
    const template = await db.prisma.user.findUniqueOrThrow({ where: { email: SUPERUSER.email } });
    const tokens = createTokenService({ secret, ttlSeconds: 86_400 }, db.prisma);
    const rows = Array.from({ length: count }, (_, i) => ({
      id: newId(),
      email: `storm-${i}@example.com`,
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

/** Starts the world with `users` users. */
export async function startStormWorld(
  users: number,
  log: (line: string) => void,
): Promise<StormWorld> {
  const pg = await withPostgres();
  const nats = await withNats();
  const redis = await withRedis();
  const jwtSecret = randomSecret();
  const seen = new Set<string>();
  let cluster: LocalCluster | undefined;
  const dispose = async () => {
    await cluster?.stop();
    await nats.cleanup();
    await pg.drop();
  };
  try {
    const env = {
      TIDINGS_NATS_PREFIX: nats.prefix,
      TIDINGS_REDIS_PREFIX: redis.prefix,
      TIDINGS_LOG_LEVEL: "warn",
    };
    cluster = await startLocalCluster({
      records: 1,
      evaluators: 1,
      gateways: 0,
      entryPort: 0,
      basePort: 0,
      databaseUrl: pg.url,
      natsUrl: TEST_NATS_URL,
      redisUrl: TEST_REDIS_URL,
      jwtSecret,
      env: {
        ...env,
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
      },
      output: (line) => {
        if (!line.includes('"level":50') && !line.includes('"level":60')) return;
        // The same failure repeated is logged once, with the time dropped.
        const gist = line.replace(/"time":\d+,|"reqId":"[^"]*",/g, "").slice(0, 300);
        if (seen.has(gist)) return;
        seen.add(gist);
        log(gist);
      },
    });
    const recordsUrl = `http://127.0.0.1:${cluster.service("records-1").port}`;
    const login = await post(`${recordsUrl}/api/auth/login`, SUPERUSER);
    for (const collection of [FEED, NEWS])
      await post(`${recordsUrl}/api/collections`, collection, login.token as string);
    return {
      recordsUrl,
      users: await createUsers(pg.url, jwtSecret, users),
      gatewayEnv: {
        ...env,
        TIDINGS_HOST: "127.0.0.1",
        TIDINGS_DATABASE_URL: pg.url,
        TIDINGS_NATS_URL: TEST_NATS_URL,
        TIDINGS_REDIS_URL: TEST_REDIS_URL,
        TIDINGS_JWT_SECRET: jwtSecret,
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Creates a record as `user`; false if the records service refused it. */
export async function write(
  recordsUrl: string,
  collection: string,
  body: Record<string, unknown>,
  token: string,
): Promise<boolean> {
  try {
    await post(`${recordsUrl}/api/collections/${collection}/records`, body, token);
    return true;
  } catch {
    return false;
  }
}
