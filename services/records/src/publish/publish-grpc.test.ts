import * as grpc from "@grpc/grpc-js";
import { createLifecycle, type Lifecycle } from "@tidings/service";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ORDERS, outboxRows } from "../testing/publish-fixtures.ts";
import { TEST_SERVICE_TOKEN, useRecordsHarness } from "../testing/records-harness.ts";
import { ERROR_METADATA_KEY } from "./grpc-errors.ts";
import { type PublishGrpcServer, startPublishGrpc } from "./publish-grpc.ts";
import { loadPublisher } from "./publisher-proto.ts";
import { createServiceAuth } from "./service-auth.ts";

const Publisher = loadPublisher();

type Reply = { accepted: number; duplicates: number };
type Rpc = (
  request: unknown,
  metadata: grpc.Metadata,
  callback: grpc.requestCallback<Reply>,
) => void;

function call(
  client: grpc.Client,
  method: "Publish" | "PublishBatch",
  request: unknown,
  metadata: Record<string, string> = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` },
): Promise<Reply> {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) md.set(key, value);
  const rpc = (client as unknown as Record<typeof method, Rpc>)[method];
  return new Promise((resolve, reject) =>
    rpc.call(client, request, md, (error, reply) => (error ? reject(error) : resolve(reply!))),
  );
}

async function refusal(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  const error = await promise.then(
    () => expect.fail("the call succeeded"),
    (e: grpc.ServiceError) => e,
  );
  return error;
}

const order = (id: string, extra: Record<string, unknown> = {}) => ({
  collection: "orders",
  action: "ACTION_CREATED",
  record_json: JSON.stringify({ id, title: `order ${id}` }),
  ...extra,
});

describe.each(["postgres", "pglite"] as const)("gRPC publish on %s", (backend) => {
  const h = useRecordsHarness(backend);
  let server: PublishGrpcServer;
  let client: grpc.Client;
  let lifecycle: Lifecycle;

  beforeEach(async () => {
    lifecycle = createLifecycle();
    server = await startPublishGrpc(
      { host: "127.0.0.1", port: 0, maxMessageBytes: 1024 * 1024 },
      {
        prisma: h().db.prisma,
        serviceAuth: createServiceAuth([TEST_SERVICE_TOKEN]),
        lifecycle,
        log: { error: () => {} },
      },
    );
    client = new Publisher(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    await h().collection(ORDERS);
  });
  afterEach(async () => {
    client.close();
    await server.stop();
  });

  it("Publish - writes one outbox row like the HTTP API", async () => {
    const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}`, "x-socket-id": "sock-9" };
    const reply = await call(client, "Publish", order("a", { idempotency_key: "k" }), auth);
    expect(reply).toEqual({ accepted: 1, duplicates: 0 });
    const [row] = await outboxRows(h().db);
    expect(row).toMatchObject({
      action: "created",
      recordId: "a",
      socketId: "sock-9",
      record: { id: "a", title: "order a", collectionName: "orders", total: null },
    });
    expect(await call(client, "Publish", order("a", { idempotency_key: "k" }))).toEqual({
      accepted: 0,
      duplicates: 1,
    });
  });

  it("PublishBatch - writes the events in order, with old records", async () => {
    const reply = await call(client, "PublishBatch", {
      events: [
        order("a"),
        {
          collection: "orders",
          action: "ACTION_UPDATED",
          record_json: JSON.stringify({ id: "a", title: "new" }),
          old_record_json: JSON.stringify({ id: "a", title: "old" }),
        },
        { ...order("a"), action: "ACTION_DELETED" },
      ],
    });
    expect(reply).toEqual({ accepted: 3, duplicates: 0 });
    const rows = await outboxRows(h().db);
    expect(rows.map((r) => r.action)).toEqual(["created", "updated", "deleted"]);
    expect(rows[1]!.oldRecord).toMatchObject({ id: "a", title: "old" });
  });

  it("refuses a missing or wrong service token and a user token as UNAUTHENTICATED", async () => {
    const { user } = h();
    const someone = await user();
    for (const metadata of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong-token" },
      { authorization: `Bearer ${someone.token}` },
    ]) {
      const error = await refusal(call(client, "Publish", order("a"), metadata));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    }
    expect(await outboxRows(h().db)).toEqual([]);
  });

  it("reports invalid events as INVALID_ARGUMENT with each problem in the details", async () => {
    const error = await refusal(
      call(client, "PublishBatch", {
        events: [
          order("a"),
          { ...order("b"), record_json: JSON.stringify({ id: "b", title: 7 }) },
          { ...order("c"), record_json: "{not json" },
        ],
      }),
    );
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain("events.2.record_json: expected a JSON object (invalid_json)");
    const unspecified = await refusal(call(client, "Publish", { ...order("a"), action: 0 }));
    expect(unspecified.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(unspecified.details).toMatch(/^The events have invalid or missing values\. action: /);
    const typed = await refusal(
      call(client, "Publish", { ...order("b"), record_json: '{"id":"b","title":7}' }),
    );
    expect(typed.details).toContain("record.title: expected a string (invalid_type)");
    const [body] = typed.metadata.get(ERROR_METADATA_KEY);
    expect(JSON.parse(String(body))).toMatchObject({
      code: "VALIDATION_FAILED",
      data: { "record.title": { code: "invalid_type" } },
    });
    expect(await outboxRows(h().db)).toEqual([]);
  });

  it("refuses text the database cannot store and deep JSON as INVALID_ARGUMENT, naming the field", async () => {
    const deep = `${"[".repeat(3_000)}1${"]".repeat(3_000)}`;
    for (const [request, field] of [
      [{ ...order("a"), idempotency_key: "k\u0000" }, "idempotencyKey"],
      [{ ...order("a"), collection: "ord\u0000ers" }, "collection"],
      [{ ...order("a"), record_json: '{"id":"a","title":"\\u0000"}' }, "record.title"],
      [{ ...order("a"), record_json: '{"id":"a","title":"\\ud800"}' }, "record.title"],
      [{ ...order("a"), record_json: `{"id":"a","title":"x","extra":${deep}}` }, "record.extra"],
    ] as const) {
      const error = await refusal(call(client, "Publish", request));
      expect(error.code, field).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toContain(`: ${field}`);
      const [body] = error.metadata.get(ERROR_METADATA_KEY);
      const { code, data } = JSON.parse(String(body));
      expect(code).toBe("VALIDATION_FAILED");
      expect(Object.keys(data)[0]?.startsWith(field)).toBe(true);
    }
    // Protobuf strings are UTF-8, so a lone surrogate arrives only inside the JSON texts, escaped.
    const batch = await refusal(
      call(client, "PublishBatch", {
        events: [order("a"), { ...order("b"), idempotency_key: "\u0000" }],
      }),
    );
    expect(batch.details).toContain("events.1.idempotencyKey contains a NUL character");
    expect(await outboxRows(h().db)).toEqual([]);
  });

  it("maps an unknown collection to NOT_FOUND and a base one to FAILED_PRECONDITION", async () => {
    await h().collection({ ...ORDERS, name: "posts", type: "base" });
    const missing = await refusal(call(client, "Publish", { ...order("a"), collection: "nope" }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    const base = await refusal(call(client, "Publish", { ...order("a"), collection: "posts" }));
    expect(base.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(base.details).toContain("(not_external)");
    const empty = await refusal(call(client, "PublishBatch", { events: [] }));
    expect(empty.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("answers UNAVAILABLE once the server drains", async () => {
    lifecycle.startDraining();
    const error = await refusal(call(client, "Publish", order("a")));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(await outboxRows(h().db)).toEqual([]);
  });

  it("fails to start with an error naming TIDINGS_GRPC_PORT when the port is taken", async () => {
    const start = startPublishGrpc(
      { host: "127.0.0.1", port: server.port, maxMessageBytes: 1024 },
      {
        prisma: h().db.prisma,
        serviceAuth: createServiceAuth([]),
        lifecycle,
        log: { error: () => {} },
      },
    );
    await expect(start).rejects.toThrow(/TIDINGS_GRPC_PORT: cannot serve gRPC on 127\.0\.0\.1:\d+/);
  });
});
