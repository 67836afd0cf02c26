import type { AddressInfo } from "node:net";
import { createTokenService, toAuthUser } from "@tidings/auth";
import { newId } from "@tidings/db";
import { loadConfig, type RecordsConfig } from "@tidings/records";
import { type TestUser, testPasswordHash } from "@tidings/records/testing";
import { type Standalone, standaloneExtraEnv, startStandalone } from "@tidings/standalone";
import { TEST_NATS_URL, TEST_REDIS_URL, withNats, withPostgres, withRedis } from "@tidings/testing";
import {
  io as connect,
  type ManagerOptions,
  type Socket,
  type SocketOptions,
} from "socket.io-client";

/** The JWT secret every node of a test cluster shares. */
export const CLUSTER_SECRET = "cluster-test-secret-of-at-least-32-chars";

/** One node: records, evaluator and gateway in one process, as `npm start` runs them. */
export interface ClusterNode {
  readonly url: string;
  readonly server: Standalone;
  /** Stops the node gracefully (drain, then close). */
  stop(): Promise<void>;
}

/** A JSON answer from the REST API. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
}

/** Nodes sharing one PostgreSQL database, NATS prefix and Redis prefix. */
export interface Cluster extends AsyncDisposable {
  nodes: ClusterNode[];
  superuser: TestUser;
  /** Creates a user directly in the database. */
  user(options?: { email?: string; role?: "user" | "superuser" }): Promise<TestUser>;
  /** A REST call to node `on` (default 0). */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; on?: number },
  ): Promise<Answer>;
  /** Creates a collection as the superuser. */
  collection(definition: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** A Socket.IO client of node `on`, connected (rejects with the connect_error). */
  socket(
    on: number,
    options?: { token?: string } & Partial<ManagerOptions & SocketOptions>,
  ): Promise<Socket>;
  /** Starts one more node. */
  addNode(env?: Record<string, string>): Promise<ClusterNode>;
}

/** Starts `nodes` nodes on the real services with a fresh database and prefixes. */
export async function startCluster(
  options: { nodes?: number; env?: Record<string, string>; redis?: boolean } = {},
): Promise<Cluster> {
  const pg = await withPostgres();
  const nats = await withNats();
  const redis = options.redis === false ? undefined : await withRedis();
  const sockets: Socket[] = [];
  const nodes: ClusterNode[] = [];
  const baseEnv: Record<string, string> = {
    TIDINGS_DATABASE_URL: pg.url,
    TIDINGS_DATABASE_POOL_SIZE: "4",
    TIDINGS_NATS_URL: TEST_NATS_URL,
    TIDINGS_NATS_PREFIX: nats.prefix,
    ...(redis ? { TIDINGS_REDIS_URL: TEST_REDIS_URL, TIDINGS_REDIS_PREFIX: redis.prefix } : {}),
    TIDINGS_JWT_SECRET: CLUSTER_SECRET,
    TIDINGS_PORT: "0",
    TIDINGS_GRPC_PORT: "0",
    TIDINGS_LOG_LEVEL: "silent",
    TIDINGS_AUTH_RATE_LIMIT: "10000",
    ...options.env,
  };
  let config: RecordsConfig | undefined;

  async function addNode(env: Record<string, string> = {}): Promise<ClusterNode> {
    const nodeConfig = loadConfig({ ...baseEnv, ...env }, standaloneExtraEnv);
    config ??= nodeConfig;
    const server = await startStandalone(nodeConfig, { ...baseEnv, ...env });
    await server.records.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = server.records.app.server.address() as AddressInfo;
    let stopped = false;
    const node: ClusterNode = {
      url: `http://127.0.0.1:${port}`,
      server,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop();
      },
    };
    nodes.push(node);
    return node;
  }
  for (let i = 0; i < (options.nodes ?? 1); i += 1) await addNode();
  const first = nodes[0] as ClusterNode;
  const prisma = first.server.records.db.prisma;
  const tokens = createTokenService(
    { ...(config as RecordsConfig).jwt, secret: CLUSTER_SECRET },
    prisma,
  );
  const user: Cluster["user"] = async ({ email, role } = {}) => {
    const row = await prisma.user.create({
      data: {
        id: newId(),
        email: email ?? `${newId(8)}@example.com`,
        passwordHash: await testPasswordHash(),
        tokenKey: newId(20),
        role: role ?? "user",
      },
    });
    return { token: await tokens.issue(row), user: toAuthUser(row) };
  };
  const call: Cluster["call"] = async (method, path, { token, body, headers, on = 0 } = {}) => {
    const response = await fetch(`${nodes[on]?.url}${path}`, {
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
  const superuser = await user({ role: "superuser" });
  return {
    nodes,
    superuser,
    user,
    call,
    addNode,
    async collection(definition) {
      const answer = await call("POST", "/api/collections", {
        token: superuser.token,
        body: definition,
      });
      if (answer.status !== 201)
        throw new Error(`collection not created: ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
    async socket(on, { token, ...rest } = {}) {
      const socket = connect(nodes[on]?.url as string, {
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
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.close();
      for (const node of [...nodes].reverse()) await node.stop().catch(() => {});
      await nats.cleanup();
      await pg.drop();
    },
  };
}
