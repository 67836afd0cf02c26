/**
 * The one harness for tests that start a cluster in the test's own process: nodes of
 * `@tidings/standalone` (records, evaluator and gateway in one process, as `npm start` runs them)
 * sharing a fresh PostgreSQL database, NATS prefix and Redis prefix on the machine's servers.
 * Clusters of separate processes come from `startLocalCluster` (deploy/local); the evaluator's
 * components, wired one by one, from test/pipeline.
 */
import type { AddressInfo } from "node:net";
import { createTokenService, toAuthUser } from "@tidings/auth";
import { newId } from "@tidings/db";
import { loadConfig } from "@tidings/records";
import { type TestUser, testPasswordHash } from "@tidings/records/testing";
import { type Standalone, standaloneExtraEnv, startStandalone } from "@tidings/standalone";
import { withNats, withPostgres, withRedis } from "@tidings/testing";
import {
  io as connect,
  type ManagerOptions,
  type Socket,
  type SocketOptions,
} from "socket.io-client";
import { type Answer, type CallOptions, callApi, createCollection } from "./rest.ts";

// Every node signs and checks tokens with it, and so does the harness when it issues them.
const SECRET = "cluster-test-secret-of-at-least-32-chars";

/** One node: records, evaluator and gateway in one process. */
export interface ClusterNode {
  readonly url: string;
  readonly port: number;
  readonly server: Standalone;
  /** Stops the node gracefully (drain, then close); a second call waits for the same stop. */
  stop(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** @default 1 */
  nodes?: number;
  /** `TIDINGS_*` variables of every node, over the harness's own. */
  env?: Record<string, string>;
  /** Whether the nodes share a Redis (a single node needs none). @default true */
  redis?: boolean;
  /**
   * Variables made from the URL of the cluster's database (to put a pooler in front of it, say),
   * over the harness's own and under `env`.
   */
  databaseEnv?: (url: string) => Record<string, string>;
}

/** Nodes sharing one PostgreSQL database, NATS prefix and Redis prefix. */
export interface Cluster extends AsyncDisposable {
  readonly nodes: ClusterNode[];
  /** A superuser created with the cluster. */
  readonly superuser: TestUser;
  /** Starts one more node, with `env` over the cluster's variables. */
  addNode(env?: Record<string, string>): Promise<ClusterNode>;
  /** Creates a user directly in the database (signing up has tests of its own). */
  user(options?: { email?: string; role?: "user" | "superuser" }): Promise<TestUser>;
  /**
   * A token for `userId` that expires in `seconds`: shorter than TIDINGS_TOKEN_TTL allows, or
   * already expired when negative.
   */
  shortToken(userId: string, seconds: number): Promise<string>;
  /** A REST call to node `on` (default 0). */
  call(method: string, path: string, options?: CallOptions & { on?: number }): Promise<Answer>;
  /** Creates a collection as the superuser; throws when refused. */
  collection(definition: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** A Socket.IO client of node `on`, connected (rejects with the connect_error); closed on dispose. */
  socket(
    on: number,
    options?: { token?: string } & Partial<ManagerOptions & SocketOptions>,
  ): Promise<Socket>;
}

/** Starts the nodes; dispose the cluster (`await using`, or in `afterAll`) to stop them and drop its data. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const pg = await withPostgres();
  const nats = await withNats();
  const redis = options.redis === false ? undefined : await withRedis();
  const baseEnv: Record<string, string> = {
    TIDINGS_DATABASE_URL: pg.url,
    TIDINGS_DATABASE_POOL_SIZE: "4",
    TIDINGS_NATS_URL: nats.url,
    TIDINGS_NATS_PREFIX: nats.prefix,
    ...(redis ? { TIDINGS_REDIS_URL: redis.url, TIDINGS_REDIS_PREFIX: redis.prefix } : {}),
    TIDINGS_JWT_SECRET: SECRET,
    TIDINGS_PORT: "0",
    TIDINGS_GRPC_PORT: "0",
    TIDINGS_LOG_LEVEL: "silent",
    TIDINGS_AUTH_RATE_LIMIT: "10000",
    ...options.databaseEnv?.(pg.url),
    ...options.env,
  };
  const nodes: ClusterNode[] = [];
  const sockets: Socket[] = [];

  async function addNode(env: Record<string, string> = {}): Promise<ClusterNode> {
    const nodeEnv = { ...baseEnv, ...env };
    const server = await startStandalone(loadConfig(nodeEnv, standaloneExtraEnv), nodeEnv);
    await server.records.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = server.records.app.server.address() as AddressInfo;
    let stopping: Promise<void> | undefined;
    const started: ClusterNode = {
      url: `http://127.0.0.1:${port}`,
      port,
      server,
      stop: () => {
        stopping ??= server.stop();
        return stopping;
      },
    };
    nodes.push(started);
    return started;
  }

  async function dispose(): Promise<void> {
    for (const socket of sockets) socket.close();
    await Promise.all(nodes.map((each) => each.stop().catch(() => {})));
    await nats.cleanup();
    await pg.drop();
  }

  const node = (on: number): ClusterNode => {
    const found = nodes[on];
    if (!found) throw new Error(`the cluster has no node ${on}`);
    return found;
  };
  // Node 0's client: every node reads and writes the same database.
  const prisma = () => node(0).server.records.db.prisma;
  const tokens = (ttlSeconds?: number) =>
    createTokenService({ secret: SECRET, ttlSeconds }, prisma());
  const user: Cluster["user"] = async ({ email, role } = {}) => {
    const row = await prisma().user.create({
      data: {
        id: newId(),
        email: email ?? `${newId(8)}@example.com`,
        passwordHash: await testPasswordHash(),
        tokenKey: newId(20),
        role: role ?? "user",
      },
    });
    return { token: await tokens().issue(row), user: toAuthUser(row) };
  };
  const call: Cluster["call"] = (method, path, { on = 0, ...rest } = {}) =>
    callApi(node(on).url, method, path, rest);

  let superuser: TestUser;
  try {
    for (let i = 0; i < (options.nodes ?? 1); i += 1) await addNode();
    superuser = await user({ role: "superuser" });
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    nodes,
    superuser,
    addNode,
    user,
    async shortToken(userId, seconds) {
      const row = await prisma().user.findUniqueOrThrow({ where: { id: userId } });
      return tokens(seconds).issue(row);
    },
    call,
    collection: (definition) => createCollection(node(0).url, superuser.token, definition),
    async socket(on, { token, ...rest } = {}) {
      const socket = connect(node(on).url, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        ...(token ? { auth: { token } } : {}),
        ...rest,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", reject);
      });
      return socket;
    },
    [Symbol.asyncDispose]: dispose,
  };
}
