import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createClient } from "@tidings/client";
import type { LocalCluster } from "@tidings/local-cluster";
import { PUBLISHER_PROTO_PATH } from "@tidings/protocol";
import { eventually } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCollection } from "../support/collections.ts";
import {
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from "../support/otlp-receiver.ts";
import { type ProcessCluster, startProcessCluster } from "../support/process-cluster.ts";
import { callApi, createCollection, signIn } from "../support/rest.ts";

const SUPERUSER = { email: "tracing@example.com", password: "tracing-test-password" };
const SERVICE_TOKEN = randomBytes(24).toString("hex");

// The caller's trace context on the internal gRPC publish: the change must stay in this trace.
const CALLER_TRACE = randomBytes(16).toString("hex");
const CALLER_SPAN = randomBytes(8).toString("hex");

function publishOverGrpc(port: number, id: string): Promise<unknown> {
  const definition = protoLoader.loadSync(PUBLISHER_PROTO_PATH, { keepCase: true, enums: String });
  const { Publisher } = (
    grpc.loadPackageDefinition(definition) as unknown as {
      tidings: { v1: { Publisher: grpc.ServiceClientConstructor } };
    }
  ).tidings.v1;
  const client = new Publisher(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${SERVICE_TOKEN}`);
  metadata.set("traceparent", `00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
  const request = {
    collection: "orders",
    action: "ACTION_CREATED",
    record_json: JSON.stringify({ id, title: "over gRPC" }),
  };
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (...args: unknown[]) => void>).Publish?.call(
      client,
      request,
      metadata,
      (error: Error | null, reply: unknown) => {
        client.close();
        return error ? reject(error) : resolve(reply);
      },
    ),
  );
}

/** The spans from `leaf` up to the root of its trace, leaf first. */
function chainUp(spans: ReceivedSpan[], leaf: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const chain = [leaf];
  for (let parent = byId.get(leaf.parentSpanId); parent; parent = byId.get(parent.parentSpanId))
    chain.push(parent);
  return chain;
}

/** `root` and every span under it, one line each, indented by depth, in start order. */
function spanTree(spans: ReceivedSpan[], root: ReceivedSpan, depth = 0): string {
  const children = spans
    .filter((span) => span.traceId === root.traceId && span.parentSpanId === root.spanId)
    .sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  return [
    `${"  ".repeat(depth)}${root.name}  [${root.service}]`,
    ...children.map((child) => spanTree(spans, child, depth + 1)),
  ].join("\n");
}

/** Checks the path of one change through the services and returns its spans, root first. */
function changePath(spans: ReceivedSpan[], traceId: string): ReceivedSpan[] {
  const deliveries = spans.filter(
    (span) => span.traceId === traceId && span.name === "deliver change",
  );
  expect(deliveries).toHaveLength(1);
  const path = chainUp(spans, deliveries[0] as ReceivedSpan).reverse();
  // One trace, in the order of the write's journey, each hop a child of the one before.
  expect(new Set(path.map((span) => span.traceId))).toEqual(new Set([traceId]));
  const services = path.map((span) => span.service);
  const firstEvaluator = services.indexOf("tidings-evaluator");
  expect(services.slice(0, firstEvaluator).every((name) => name === "tidings-records")).toBe(true);
  expect(services.slice(firstEvaluator)).toEqual(["tidings-evaluator", "tidings-gateway"]);
  const [publish, process, deliver] = path.slice(firstEvaluator - 1);
  expect(publish?.name).toMatch(/^publish /);
  expect(process?.name).toMatch(/^process /);
  expect(process?.name.slice("process ".length)).toBe(publish?.name.slice("publish ".length));
  expect(deliver?.attributes["tidings.deliveries"]).toBe(1);
  for (let i = 1; i < path.length; i += 1)
    expect((path[i] as ReceivedSpan).startNs).toBeGreaterThanOrEqual(
      (path[i - 1] as ReceivedSpan).startNs,
    );
  return path;
}

describe("one trace per change across records, evaluator and gateway processes", () => {
  let processes: ProcessCluster;
  let receiver: OtlpReceiver;
  let cluster: LocalCluster;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    processes = await startProcessCluster({
      env: {
        TIDINGS_SUPERUSER_EMAIL: SUPERUSER.email,
        TIDINGS_SUPERUSER_PASSWORD: SUPERUSER.password,
        TIDINGS_SERVICE_TOKENS: SERVICE_TOKEN,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        // Export within a fraction of a second rather than the default 5 s.
        OTEL_BSP_SCHEDULE_DELAY: "100",
        // Metrics go to the same endpoint; every half second instead of every minute.
        OTEL_METRIC_EXPORT_INTERVAL: "500",
      },
    });
    cluster = processes.cluster;
  }, 120_000);

  afterAll(async () => {
    await processes?.[Symbol.asyncDispose]();
    await receiver?.[Symbol.asyncDispose]();
  });

  it("follows a REST write and a gRPC publish (continuing the caller's traceparent) to the subscriber's socket", async () => {
    const entry = cluster.entryUrl;
    const superuser = await signIn(entry, "/api/auth/login", SUPERUSER);
    await createCollection(
      entry,
      superuser.token,
      openCollection("notes", [{ name: "title", type: "text" }]),
    );
    // Changes of an external collection come from the internal publish API only.
    await createCollection(entry, superuser.token, {
      ...openCollection("orders", [{ name: "title", type: "text" }]),
      type: "external",
    });
    const client = createClient(entry, { socket: { transports: ["websocket"] } });
    const received: string[] = [];
    for (const name of ["notes", "orders"])
      await client.collection(name).subscribe("*", (change) => {
        received.push((change.record as { id: string }).id);
      });
    try {
      const written = await callApi(entry, "POST", "/api/collections/notes/records", {
        body: { title: "over REST" },
      });
      expect(written.status).toBe(201);
      const grpcPort = Number(cluster.service("records-1").env.TIDINGS_GRPC_PORT);
      await publishOverGrpc(grpcPort, "grpcnote0000001");
      await eventually(
        () => expect(received.sort()).toEqual([written.body.id, "grpcnote0000001"].sort()),
        20_000,
      );

      // The REST write's trace starts at the records service's server span for that request.
      let restRoot: ReceivedSpan | undefined;
      await eventually(() => {
        restRoot = receiver.spans.find(
          (span) =>
            span.service === "tidings-records" &&
            span.parentSpanId === "" &&
            span.attributes["http.request.method"] === "POST" &&
            Object.values(span.attributes).some((value) =>
              String(value).includes("/api/collections/notes/records"),
            ),
        );
        expect(restRoot).toBeDefined();
      }, 20_000);
      let restPath: ReceivedSpan[] = [];
      await eventually(() => {
        restPath = changePath(receiver.spans, (restRoot as ReceivedSpan).traceId);
      }, 20_000);
      expect(restPath[0]).toBe(restRoot);

      // The gRPC publish continues the caller's trace: its server span is the caller's span's child.
      let grpcPath: ReceivedSpan[] = [];
      await eventually(() => {
        grpcPath = changePath(receiver.spans, CALLER_TRACE);
      }, 20_000);
      expect(grpcPath[0]?.name).toBe("tidings.v1.Publisher/Publish");
      expect(grpcPath[0]?.parentSpanId).toBe(CALLER_SPAN);
      // The same endpoint received each service's metrics, pushed over OTLP.
      await eventually(() => {
        for (const name of [
          "tidings-records/tidings.relay.published",
          "tidings-records/http.server.request.duration",
          "tidings-evaluator/tidings.evaluator.events",
          "tidings-gateway/tidings.gateway.deliveries",
        ])
          expect(receiver.metrics).toContain(name);
      }, 20_000);

      // The whole trees, as docs/observability.md shows one.
      console.log(
        [restRoot, grpcPath[0]]
          .map((root) => spanTree(receiver.spans, root as ReceivedSpan))
          .join("\n\n"),
      );
    } finally {
      client.close();
    }
  }, 90_000);
});
