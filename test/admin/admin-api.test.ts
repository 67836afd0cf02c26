import { hostname } from "node:os";
import type { ChangePayload } from "@tidings/protocol";
import { loadConfig } from "@tidings/records";
import { type Standalone, standaloneExtraEnv, startStandalone } from "@tidings/standalone";
import { withPostgres } from "@tidings/testing";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCollection } from "../support/collections.ts";
import { callApi, createCollection, signIn } from "../support/rest.ts";
import { collect, eventually, request } from "../support/socket-calls.ts";

const SUPERUSER = { email: "admin@example.com", password: "admin api test password" };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Packet = { data?: unknown[] };
type ChangeEvent = { record: Record<string, unknown> };
type Broadcast = (packet: Packet, options: unknown) => void;

/**
 * The single node of `npm start` (records, evaluator and gateway in one process, in-process bus)
 * on PostgreSQL, with quick heartbeats and an evaluator that parks an event after two failures.
 */
describe("admin API on a single node", () => {
  let node: Standalone;
  let url: string;
  let admin: string;
  let user: { id: string; token: string };
  let socket: Socket;
  let changes: ChangePayload[];
  /** Room messages whose change record makes this true fail to be emitted (an emit that throws). */
  let failing: (record: Record<string, unknown>) => boolean = () => false;
  let drop: () => Promise<void>;

  /** A call as the superuser, or as `as` (null: anonymous). */
  const api = (
    method: string,
    path: string,
    { as = admin, body }: { as?: string | null; body?: unknown } = {},
  ) => callApi(url, method, path, { token: as ?? undefined, body });

  beforeAll(async () => {
    const pg = await withPostgres();
    drop = () => pg.drop();
    const env = {
      TIDINGS_DATABASE_URL: pg.url,
      TIDINGS_PORT: "0",
      TIDINGS_GRPC_PORT: "0",
      TIDINGS_JWT_SECRET: "admin-api-test-secret-of-at-least-32-chars",
      TIDINGS_LOG_LEVEL: "silent",
      TIDINGS_PARTITIONS: "4",
      TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
      TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
    };
    node = await startStandalone(loadConfig(env, standaloneExtraEnv), env, {
      statusIntervalMs: 200,
      consume: { maxDeliver: 2, backoff: [50] },
    });
    url = await node.records.app.listen({ port: 0, host: "127.0.0.1" });
    const adapter = node.io.of("/").adapter as unknown as { broadcast: Broadcast };
    const broadcast = adapter.broadcast.bind(adapter);
    adapter.broadcast = (packet, options) => {
      const [event, payload] = packet.data ?? [];
      const record = (payload as { record?: Record<string, unknown> } | undefined)?.record;
      if (event === "change" && record && failing(record)) throw new Error("emit refused");
      broadcast(packet, options);
    };
    admin = (await signIn(url, "/api/auth/login", SUPERUSER)).token;
    user = await signIn(url, "/api/auth/register", {
      email: "watcher@example.com",
      password: "watcher password",
    });
    await createCollection(
      url,
      admin,
      openCollection("notes", [
        { name: "n", type: "number" },
        { name: "secret", type: "text", hidden: true },
      ]),
    );
    socket = io(url, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { token: user.token },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    changes = collect<ChangePayload>(socket, "change");
    expect((await request(socket, "subscribe", { collection: "notes", filter: "n > 0" })).ok).toBe(
      true,
    );
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await node?.stop();
    await drop?.();
  });

  it("cluster - shows the node's three parts, the client's connection and subscription, and every partition held", async () => {
    await eventually(async () => {
      const { status, body } = await api("GET", "/api/admin/cluster");
      expect(status).toBe(200);
      expect(body.gateways).toEqual([
        {
          id: node.gateway.id,
          connections: { "socket.io": 1 },
          subscriptions: { "socket.io": 1 },
        },
      ]);
      expect(body.evaluators).toHaveLength(1);
      expect(body.evaluators[0].partitions.map((p: { partition: number }) => p.partition)).toEqual([
        0, 1, 2, 3,
      ]);
    });
    const { body } = await api("GET", "/api/admin/cluster");
    expect(body.generatedAt).toMatch(ISO);
    expect(body.processes).toEqual(
      [
        { id: node.evaluatorId, service: "evaluator" },
        { id: node.gateway.id, service: "gateway" },
        { id: node.records.id, service: "records" },
      ].map((part) => ({
        ...part,
        host: hostname(),
        pid: process.pid,
        startedAt: expect.stringMatching(ISO),
        lastSeen: expect.stringMatching(ISO),
      })),
    );
    expect(body.evaluators[0]).toEqual({
      id: node.evaluatorId,
      partitions: [0, 1, 2, 3].map((partition) => ({
        partition,
        pending: expect.any(Number),
        ackPending: expect.any(Number),
      })),
    });
    expect(body.partitions).toEqual({ total: 4, unheld: [] });
    expect(body.outbox).toEqual({ backlog: 0, oldestAgeSeconds: null });
    expect(body.deadLetters).toEqual({ count: 0 });
  });

  it("clients - lists the gateway's client with its user and subscription, never its token", async () => {
    const { status, body } = await api("GET", "/api/admin/clients");
    expect(status).toBe(200);
    expect(body).toEqual({
      gateways: [
        {
          id: node.gateway.id,
          clients: [
            {
              id: socket.id,
              transport: "socket.io",
              userId: user.id,
              connectedAt: expect.stringMatching(ISO),
              subscriptions: [{ collection: "notes", recordId: null, filter: "n > 0" }],
            },
          ],
          truncated: false,
        },
      ],
      missing: [],
    });
    expect(JSON.stringify(body)).not.toContain(user.token);

    const other = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
    await new Promise((resolve) => other.once("connect", () => resolve(undefined)));
    const limited = await api("GET", `/api/admin/clients?limit=1&gateway=${node.gateway.id}`);
    expect(limited.body.gateways[0].clients.map((c: { id: string }) => c.id)).toEqual([socket.id]);
    expect(limited.body.gateways[0].truncated).toBe(true);
    other.close();

    const unknown = await api("GET", "/api/admin/clients?gateway=gateway-00000000");
    expect(unknown.body).toEqual({ gateways: [], missing: ["gateway-00000000"] });
  });

  it("dead letters - a parked event is listed without its hidden fields, retried to its subscriber, then gone", async () => {
    failing = (record) => record.n === 13;
    const poison = await api("POST", "/api/collections/notes/records", {
      body: { n: 13, secret: "s3cret" },
    });
    await api("POST", "/api/collections/notes/records", { body: { n: 14 } });
    await eventually(() => expect(changes.map((change) => change.record.n)).toContain(14));
    let list = await api("GET", "/api/admin/dead-letters");
    await eventually(async () => {
      list = await api("GET", "/api/admin/dead-letters");
      expect(list.body.totalItems).toBe(1);
    });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, perPage: 30, totalItems: 1, totalPages: 1 });
    const [parked] = list.body.items;
    expect(parked).toEqual({
      seq: expect.any(Number),
      partition: expect.any(Number),
      subject: expect.stringMatching(new RegExp(`\\.events\\.${parked.partition}$`)),
      originalSeq: expect.any(Number),
      // At least maxDeliver: a batch that failed as a whole counts a delivery too.
      deliveries: expect.any(Number),
      reason: expect.stringContaining("emit refused"),
      parkedAt: expect.stringMatching(ISO),
      event: expect.objectContaining({ action: "created", collectionName: "notes" }),
    });
    expect(parked.deliveries).toBeGreaterThanOrEqual(2);
    expect(parked.event.record).toMatchObject({ id: poison.body.id, n: 13 });
    expect(parked.event.record).not.toHaveProperty("secret");
    expect((await api("GET", "/api/admin/cluster")).body.deadLetters).toEqual({ count: 1 });

    failing = () => false;
    const retried = await api("POST", `/api/admin/dead-letters/${parked.seq}/retry`);
    expect(retried).toEqual({
      status: 200,
      body: { seq: parked.seq, republishedAs: expect.any(Number) },
    });
    expect(retried.body.republishedAs).toBeGreaterThan(parked.originalSeq);
    // Delivered after the event published since it was parked.
    await eventually(() =>
      expect(changes.map((change) => [change.record.n, change.seq])).toEqual([
        [14, expect.any(Number)],
        [13, retried.body.republishedAs],
      ]),
    );
    expect((await api("GET", "/api/admin/dead-letters")).body.totalItems).toBe(0);
    expect((await api("POST", `/api/admin/dead-letters/${parked.seq}/retry`)).status).toBe(404);
  });

  it("dead letters - a dropped event is removed and never delivered", async () => {
    changes.length = 0;
    failing = (record) => record.n === 21;
    await api("POST", "/api/collections/notes/records", { body: { n: 21 } });
    let seq = 0;
    await eventually(async () => {
      const { body } = await api("GET", "/api/admin/dead-letters?perPage=5");
      expect(body.items.map((item: { event: ChangeEvent }) => item.event.record.n)).toEqual([21]);
      seq = body.items[0].seq;
    });
    failing = () => false;
    expect(await api("DELETE", `/api/admin/dead-letters/${seq}`)).toEqual({
      status: 204,
      body: undefined,
    });
    expect((await api("GET", "/api/admin/dead-letters")).body.totalItems).toBe(0);
    const again = await api("DELETE", `/api/admin/dead-letters/${seq}`);
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ status: 404, code: "NOT_FOUND" });
    await api("POST", "/api/collections/notes/records", { body: { n: 22 } });
    await eventually(() => expect(changes.map((change) => change.record.n)).toEqual([22]));
  });

  it("refuses anyone but a superuser: no token 401, a user's token 403", async () => {
    const routes: Array<[string, string]> = [
      ["GET", "/api/admin/cluster"],
      ["GET", "/api/admin/clients"],
      ["GET", "/api/admin/dead-letters"],
      ["POST", "/api/admin/dead-letters/1/retry"],
      ["DELETE", "/api/admin/dead-letters/1"],
    ];
    for (const [method, path] of routes) {
      const anonymous = await api(method, path, { as: null });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.body).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
      const forbidden = await api(method, path, { as: user.token });
      expect(forbidden.status, `${method} ${path}`).toBe(403);
      expect(forbidden.body).toMatchObject({ status: 403, code: "FORBIDDEN" });
    }
    expect((await api("GET", "/api/admin/cluster", { as: "not-a-token" })).status).toBe(401);
  });

  it("refuses bad input with VALIDATION_FAILED and unknown dead letters with NOT_FOUND", async () => {
    for (const path of [
      "/api/admin/clients?limit=0",
      "/api/admin/clients?limit=1001",
      "/api/admin/clients?limit=ten",
      "/api/admin/clients?gateway=not%20an%20id",
      "/api/admin/dead-letters?page=0",
      "/api/admin/dead-letters?perPage=-1",
    ]) {
      const { status, body } = await api("GET", path);
      expect(status, path).toBe(400);
      expect(body).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    }
    for (const [method, path] of [
      ["POST", "/api/admin/dead-letters/abc/retry"],
      ["POST", "/api/admin/dead-letters/0/retry"],
      ["DELETE", "/api/admin/dead-letters/1e3"],
      ["DELETE", "/api/admin/dead-letters/99999999999999999999"],
    ] as const) {
      const { status, body } = await api(method, path);
      expect(status, path).toBe(400);
      expect(body).toMatchObject({ code: "VALIDATION_FAILED", data: { seq: expect.anything() } });
    }
    for (const [method, path] of [
      ["POST", "/api/admin/dead-letters/4242/retry"],
      ["DELETE", "/api/admin/dead-letters/4242"],
    ] as const) {
      const { status, body } = await api(method, path);
      expect(status, path).toBe(404);
      expect(body).toEqual({
        status: 404,
        code: "NOT_FOUND",
        message: "There is no dead letter 4242.",
        data: {},
      });
    }
  });

  // Last: it renames a field of "notes".
  it("dead letters - a field hidden when the event was parked and renamed since never shows; pages hold at most 100", async () => {
    changes.length = 0;
    failing = (record) => record.n === 31;
    await api("POST", "/api/collections/notes/records", { body: { n: 31, secret: "s3cret" } });
    let seq = 0;
    await eventually(async () => {
      const { body } = await api("GET", "/api/admin/dead-letters?perPage=1000");
      expect(body.perPage).toBe(100);
      expect(body.items.map((item: { event: ChangeEvent }) => item.event.record.n)).toEqual([31]);
      seq = body.items[0].seq;
    });
    failing = () => false;
    const renamed = await api("PATCH", "/api/collections/notes", {
      body: {
        fields: [
          { name: "n", type: "number" },
          { name: "hush", type: "text", hidden: true },
        ],
      },
    });
    expect(renamed.status).toBe(200);
    const { body } = await api("GET", "/api/admin/dead-letters");
    expect(body.items[0].event.record).toMatchObject({ n: 31 });
    expect(body.items[0].event.record).not.toHaveProperty("secret");
    expect(JSON.stringify(body)).not.toContain("s3cret");
    expect((await api("DELETE", `/api/admin/dead-letters/${seq}`)).status).toBe(204);
  });
});
