import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { loadConfig } from "@tidings/records";
import { type Standalone, standaloneExtraEnv, startStandalone } from "@tidings/standalone";
import { TEST_NATS_URL, TEST_REDIS_URL, withNats, withPostgres, withRedis } from "@tidings/testing";
import { SignJWT } from "jose";

const SECRET = "client-sdk-test-secret-of-32-characters";
const SUPERUSER = { email: "root@example.com", password: "a long superuser password" };

/** One node: records, evaluator and gateway in one process, as `npm start` runs them. */
export interface LiveNode {
  readonly url: string;
  readonly port: number;
  readonly server: Standalone;
  stop(): Promise<void>;
}

/** A JSON answer from the REST API. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
}

/** A user of the test cluster. */
export interface LiveUser {
  id: string;
  token: string;
}

/** Nodes on one PostgreSQL database, NATS prefix and Redis prefix. */
export interface LiveCluster extends AsyncDisposable {
  readonly nodes: LiveNode[];
  readonly superuser: LiveUser;
  addNode(env?: Record<string, string>): Promise<LiveNode>;
  /** A REST call to node `on` (default 0). */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; on?: number },
  ): Promise<Answer>;
  /** Creates a collection as the superuser; throws when refused. */
  collection(definition: Record<string, unknown>): Promise<Answer["body"]>;
  /** Registers a user. */
  user(): Promise<LiveUser>;
  /** A token for `userId` that expires in `seconds` (shorter than TIDINGS_TOKEN_TTL allows). */
  shortToken(userId: string, seconds: number): Promise<string>;
}

/** Starts `nodes` standalone nodes on the real PostgreSQL, NATS and Redis. */
export async function startLiveCluster(
  options: { nodes?: number; env?: Record<string, string> } = {},
): Promise<LiveCluster> {
  const pg = await withPostgres();
  const nats = await withNats();
  const redis = await withRedis();
  const baseEnv: Record<string, string> = {
    TIDINGS_DATABASE_URL: pg.url,
    TIDINGS_DATABASE_POOL_SIZE: "4",
    TIDINGS_NATS_URL: TEST_NATS_URL,
    TIDINGS_NATS_PREFIX: nats.prefix,
    TIDINGS_REDIS_URL: TEST_REDIS_URL,
    TIDINGS_REDIS_PREFIX: redis.prefix,
    TIDINGS_JWT_SECRET: SECRET,
    TIDINGS_PORT: "0",
    TIDINGS_GRPC_PORT: "0",
    TIDINGS_LOG_LEVEL: "silent",
    TIDINGS_AUTH_RATE_LIMIT: "10000",
    TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
    TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
    ...options.env,
  };
  const nodes: LiveNode[] = [];

  async function addNode(env: Record<string, string> = {}): Promise<LiveNode> {
    const nodeEnv = { ...baseEnv, ...env };
    const server = await startStandalone(loadConfig(nodeEnv, standaloneExtraEnv), nodeEnv);
    await server.records.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = server.records.app.server.address() as AddressInfo;
    let stopping: Promise<void> | undefined;
    const node: LiveNode = {
      url: `http://127.0.0.1:${port}`,
      port,
      server,
      stop: () => {
        stopping ??= server.stop();
        return stopping;
      },
    };
    nodes.push(node);
    return node;
  }

  const call: LiveCluster["call"] = async (method, path, { token, body, headers, on } = {}) => {
    const response = await fetch(`${nodes[on ?? 0]?.url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const signIn = async (path: string, body: unknown): Promise<LiveUser> => {
    const answer = await call("POST", path, { body });
    if (answer.status >= 300) throw new Error(`${path}: ${JSON.stringify(answer.body)}`);
    return { id: answer.body.user.id, token: answer.body.token };
  };

  try {
    for (let i = 0; i < (options.nodes ?? 1); i += 1) await addNode();
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }
  const superuser = await signIn("/api/auth/login", SUPERUSER);
  let users = 0;
  return {
    nodes,
    superuser,
    addNode,
    call,
    async collection(definition) {
      const answer = await call("POST", "/api/collections", {
        token: superuser.token,
        body: definition,
      });
      if (answer.status !== 201) throw new Error(`collection: ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    user() {
      users += 1;
      return signIn("/api/auth/register", {
        email: `user${users}@example.com`,
        password: "a long user password",
      });
    },
    async shortToken(userId, seconds) {
      const prisma = (nodes[0] as LiveNode).server.records.db.prisma;
      const { tokenKey } = await prisma.user.findUniqueOrThrow({ where: { id: userId } });
      const tk = createHash("sha256").update(tokenKey).digest("base64url").slice(0, 22);
      return new SignJWT({ type: "auth", tk })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + seconds)
        .sign(new TextEncoder().encode(SECRET));
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(nodes.map((node) => node.stop().catch(() => {})));
      await nats.cleanup();
      await pg.drop();
    },
  };
}
