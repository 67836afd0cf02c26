import { context, metrics } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  DataPointType,
  type HistogramMetricData,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { METRICS } from "@tidings/telemetry";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequestTelemetry } from "./request-telemetry.ts";

/** A reader whose metrics the test collects when it wants them. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const reader = new CollectingReader();
const provider = new MeterProvider({ readers: [reader] });
const spans = new InMemorySpanExporter();
const tracer = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
}).getTracer("http-metrics-test");
// Files share a worker (vitest `isolate: false`): what is registered here is removed afterwards, and
// a context manager another file registered first is left to it.
let ownsContext = false;
let app: FastifyInstance;

beforeAll(async () => {
  expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
  ownsContext = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  app = Fastify();
  registerRequestTelemetry(app, { accessLog: false });
  app.get("/api/collections/:collection/records", async () => ({ items: [] }));
  app.post("/api/collections/:collection/records", async (_request, reply) =>
    reply.status(400).send({ code: "VALIDATION_FAILED" }),
  );
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await provider.shutdown();
  metrics.disable();
  if (ownsContext) context.disable();
});

async function durationPoints() {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((m) => m.descriptor.name === METRICS.httpDuration.name) as HistogramMetricData;
  return { metric, points: metric.dataPoints };
}

describe("http.server.request.duration", () => {
  it("records each request's duration in seconds by method, route pattern and status", async () => {
    await app.inject("/api/collections/posts/records");
    await app.inject("/api/collections/tasks/records?page=2");
    await app.inject({ method: "POST", url: "/api/collections/posts/records", payload: {} });
    await app.inject("/nowhere");
    await app.inject({ method: "PROPFIND", url: "/api/collections/posts/records" });
    const { metric, points } = await durationPoints();
    expect(metric.descriptor).toMatchObject({
      unit: "s",
      description: METRICS.httpDuration.description,
    });
    expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
    const byAttributes = points.map((point) => [point.attributes, point.value.count]);
    expect(byAttributes).toEqual(
      expect.arrayContaining([
        [
          {
            "http.request.method": "GET",
            "http.route": "/api/collections/:collection/records",
            "http.response.status_code": 200,
          },
          2,
        ],
        [
          {
            "http.request.method": "POST",
            "http.route": "/api/collections/:collection/records",
            "http.response.status_code": 400,
          },
          1,
        ],
        // No route matched: no http.route, whose path would be a series per URL tried.
        [{ "http.request.method": "GET", "http.response.status_code": 404 }, 1],
        // A method the conventions do not name cannot make a series of its own.
        [{ "http.request.method": "_OTHER", "http.response.status_code": 404 }, 1],
      ]),
    );
    expect(points).toHaveLength(4);
    for (const point of points) expect(point.value.max).toBeLessThan(5);
    // Buckets for seconds, not the SDK's default (made for milliseconds).
    expect(points[0]?.value.buckets.boundaries).toContain(0.005);
    expect(points[0]?.value.buckets.boundaries.at(-1)).toBe(10);
  });

  it("names the request's server span after its route and sets http.route on it", async () => {
    spans.reset();
    await tracer.startActiveSpan("GET", async (span) => {
      await app.inject("/api/collections/posts/records?page=2");
      span.end();
    });
    await tracer.startActiveSpan("GET", async (span) => {
      await app.inject("/nowhere");
      span.end();
    });
    const [routed, unrouted] = spans.getFinishedSpans();
    expect(routed?.name).toBe("GET /api/collections/:collection/records");
    expect(routed?.attributes["http.route"]).toBe("/api/collections/:collection/records");
    expect(unrouted?.name).toBe("GET");
    expect(unrouted?.attributes).not.toHaveProperty("http.route");
  });
});
