/**
 * The records service's inputs as fuzz targets: every REST route that reads a path id, a query or
 * a body, the internal publish API over HTTP and gRPC — on a records app over a fresh PostgreSQL
 * or PGlite database (the same app the records tests use).
 */
import assert from "node:assert/strict";
import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { openTestDatabase, type TestBackend } from "@tidings/db/testing";
import { buildApp, loadPublisher, startInternalPublish } from "@tidings/records";
import {
  recordsHarness,
  TEST_APP_OPTIONS,
  TEST_PASSWORD,
  TEST_SERVICE_TOKEN,
  testPasswordHash,
} from "@tidings/records/testing";
import { createLifecycle, DEFAULT_JSON_MAX_DEPTH } from "@tidings/service";
import type { InjectOptions } from "fastify";
import { openCollection } from "../support/collections.ts";
import { assertNamesField, type FuzzEnvironment, type FuzzTarget, rowCounts } from "./fuzz-run.ts";
import type { Path, Poisoned, PoisonKind } from "./hostile.ts";
import { type HttpRoute, type HttpSend, httpTarget } from "./http-targets.ts";

const json = { a: [1, "x", null], b: { c: "y" } };

const NOTES = openCollection("notes", [
  { name: "title", type: "text" },
  { name: "data", type: "json" },
]);

const EVENTS = {
  name: "events",
  type: "external",
  fields: [{ name: "data", type: "json" }],
  listRule: "",
  viewRule: "",
};

const event = {
  collection: "events",
  action: "created",
  record: { id: "e1", data: json },
  idempotencyKey: "events:e1:1",
};

function routes(
  tokens: { superuser: string; user: string },
  recordId: string,
  userId: string,
): HttpRoute[] {
  const asSuperuser = { authorization: `Bearer ${tokens.superuser}` };
  const asUser = { authorization: `Bearer ${tokens.user}` };
  const asService = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };
  const notes = { collection: "notes" };
  const record = { collection: "notes", id: recordId };
  const someone = { id: userId };
  const credentials = { email: "fuzz@example.com", password: TEST_PASSWORD };
  return [
    { method: "POST", path: "/api/auth/register", body: { ...credentials, name: "Fuzz" } },
    { method: "POST", path: "/api/auth/login", body: credentials },
    { method: "POST", path: "/api/auth/refresh", body: {}, headers: asUser },
    { method: "POST", path: "/api/auth/revoke", body: {}, headers: asUser },
    {
      method: "POST",
      path: "/api/collections",
      body: { ...NOTES, name: "fuzzed" },
      headers: asSuperuser,
    },
    {
      method: "GET",
      path: "/api/collections",
      query: { page: "1", perPage: "5" },
      headers: asSuperuser,
    },
    {
      method: "GET",
      path: "/api/collections/:name",
      params: { name: "notes" },
      headers: asSuperuser,
    },
    {
      method: "PATCH",
      path: "/api/collections/:name",
      params: { name: "notes" },
      body: { listRule: "title != ''" },
      headers: asSuperuser,
    },
    {
      method: "DELETE",
      path: "/api/collections/:name",
      params: { name: "notes" },
      body: {},
      headers: asSuperuser,
    },
    {
      method: "GET",
      path: "/api/collections/:collection/records",
      params: notes,
      query: { filter: "title = 'x'", sort: "-created", fields: "id,title", page: "1" },
    },
    {
      method: "POST",
      path: "/api/collections/:collection/records",
      params: notes,
      body: { title: "t", data: json },
    },
    {
      method: "GET",
      path: "/api/collections/:collection/records/:id",
      params: record,
      query: { fields: "id,title" },
    },
    {
      method: "PATCH",
      path: "/api/collections/:collection/records/:id",
      params: record,
      body: { title: "u", data: json },
    },
    {
      method: "DELETE",
      path: "/api/collections/:collection/records/:id",
      params: record,
      body: {},
    },
    {
      method: "POST",
      path: "/api/collections/:collection/auth-with-password",
      params: { collection: "users" },
      body: { identity: credentials.email, password: TEST_PASSWORD },
    },
    {
      method: "GET",
      path: "/api/users",
      query: { search: "fuzz", sort: "-created", page: "1" },
      headers: asSuperuser,
    },
    {
      method: "POST",
      path: "/api/users",
      body: { email: "made@example.com", name: "Made", password: TEST_PASSWORD },
      headers: asSuperuser,
    },
    {
      method: "POST",
      path: "/api/users/bulk",
      body: { users: [{ email: "bulk@example.com", name: "Bulk" }], tokens: true },
      headers: asSuperuser,
    },
    { method: "GET", path: "/api/users/:id", params: someone, headers: asSuperuser },
    {
      method: "PATCH",
      path: "/api/users/:id",
      params: someone,
      body: { name: "Renamed", verified: true },
      headers: asSuperuser,
    },
    { method: "DELETE", path: "/api/users/:id", params: someone, body: {}, headers: asSuperuser },
    {
      method: "POST",
      path: "/api/users/:id/revoke",
      params: someone,
      body: {},
      headers: asSuperuser,
    },
    {
      method: "POST",
      path: "/api/users/:id/token",
      params: someone,
      body: { duration: 60 },
      headers: asSuperuser,
    },
    {
      label: "POST /api/collections/users/records",
      method: "POST",
      path: "/api/collections/users/records",
      body: { email: "pb@example.com", password: TEST_PASSWORD, passwordConfirm: TEST_PASSWORD },
    },
    {
      label: "PATCH /api/collections/users/records/:id",
      method: "PATCH",
      path: "/api/collections/users/records/:id",
      params: someone,
      body: { name: "PocketBase" },
      headers: asSuperuser,
    },
    {
      method: "POST",
      path: "/api/collections/users/impersonate/:id",
      params: someone,
      body: { duration: 60 },
      headers: asSuperuser,
    },
    {
      method: "POST",
      path: "/api/admin/rules/check",
      body: { rule: "title = 'x'", action: "listRule", collection: "notes" },
      headers: asSuperuser,
    },
    {
      method: "POST",
      path: "/api/admin/rules/preview",
      body: { collection: "notes", rule: "title != ''", userId, filter: "title = 'x'" },
      headers: asSuperuser,
    },
    { method: "POST", path: "/internal/v1/publish", body: event, headers: asService },
    {
      label: "POST /internal/v1/publish (batch)",
      method: "POST",
      path: "/internal/v1/publish",
      body: { events: [event, { ...event, action: "updated", oldRecord: event.record }] },
      headers: asService,
    },
  ] satisfies HttpRoute[];
}

// gRPC strings are UTF-8: a lone surrogate reaches the server only inside the records' JSON text.
function grpcAllowed(eventAt: number) {
  return (path: Path, kind: PoisonKind) => {
    const field = path[eventAt];
    if (field === "record" || field === "oldRecord") return true;
    const text = field === "collection" || field === "idempotencyKey";
    return text && path.length === eventAt + 1 && kind === "nul";
  };
}

function grpcMessage(input: Poisoned, at: Path) {
  const value = input.value(at) as typeof event & { oldRecord?: unknown };
  return {
    collection: value.collection,
    action: "ACTION_CREATED",
    record_json: input.json([...at, "record"]),
    old_record_json: value.oldRecord === undefined ? "" : input.json([...at, "oldRecord"]),
    idempotency_key: value.idempotencyKey,
  };
}

type Rpc = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null) => void,
) => void;

function grpcTargets(port: number): { targets: FuzzTarget[]; close(): void } {
  const Publisher = loadPublisher();
  const client = new Publisher(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${TEST_SERVICE_TOKEN}`);
  const refused = async (method: string, request: unknown, input: Poisoned) => {
    const rpc = (client as unknown as Record<string, Rpc>)[method] as Rpc;
    const error = await new Promise<ServiceError | null>((resolve) =>
      rpc.call(client, request, metadata, resolve),
    );
    assert.ok(error, `${method}: the call succeeded`);
    assert.equal(error.code, 3, `${method}: ${error.code} ${error.details}`); // INVALID_ARGUMENT
    const [body] = error.metadata.get("tidings-error-bin");
    const { code, data } = JSON.parse(String(body));
    assert.equal(code, "VALIDATION_FAILED");
    assertNamesField(data, input);
  };
  return {
    targets: [
      {
        name: "gRPC Publish",
        template: event,
        allowed: grpcAllowed(0),
        send: (input) => refused("Publish", grpcMessage(input, []), input),
      },
      {
        name: "gRPC PublishBatch",
        template: { events: [event, event] },
        allowed: (path, kind) => path[0] === "events" && grpcAllowed(2)(path, kind),
        send: (input) =>
          refused(
            "PublishBatch",
            { events: [0, 1].map((index) => grpcMessage(input, ["events", index])) },
            input,
          ),
      },
    ],
    close: () => client.close(),
  };
}

/** A records app (and its gRPC server) on a fresh `backend` database, with what the routes need. */
export async function openRecordsFuzz(backend: TestBackend): Promise<FuzzEnvironment> {
  const db = await openTestDatabase(backend);
  // Limits high enough that the fuzz's own pace is never what refuses it.
  const options = { ...TEST_APP_OPTIONS, authRateLimit: 1_000_000 };
  const app = await buildApp(options, { db });
  const h = await recordsHarness(app, db, options, await testPasswordHash());
  const grpc = await startInternalPublish(
    {
      host: "127.0.0.1",
      port: 0,
      maxMessageBytes: options.bodyLimit,
      serviceTokens: [TEST_SERVICE_TOKEN],
    },
    { prisma: db.prisma, lifecycle: createLifecycle(), log: { error: () => {}, warn: () => {} } },
  );
  await h.collection(NOTES);
  await h.collection(EVENTS);
  const { body: record } = await h.call("POST", "/api/collections/notes/records", {
    body: { title: "kept" },
  });
  const user = await h.user();
  const send: HttpSend = async (method, url, headers, payload) => {
    const response = await app.inject({
      method: method as InjectOptions["method"],
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: response.statusCode, text: response.body };
  };
  const rpc = grpcTargets(grpc.grpcPort);
  return {
    targets: [
      ...routes({ superuser: h.superuser.token, user: user.token }, record.id, user.user.id).map(
        (route) => httpTarget(route, send),
      ),
      ...rpc.targets,
    ],
    snapshot: rowCounts(db.prisma),
    maxDepth: DEFAULT_JSON_MAX_DEPTH,
    async close() {
      rpc.close();
      await grpc.stop();
      await app.close();
      await db.close();
    },
  };
}
