import { register } from "node:module";
import { createNoopMeter, type MeterProvider } from "@opentelemetry/api";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { createAddHookMessageChannel } from "import-in-the-middle";
import { processResource } from "./telemetry-resource.ts";
import type { TelemetrySettings } from "./telemetry-settings.ts";

const NO_METRICS: MeterProvider = { getMeter: () => createNoopMeter() };

// Probes and scrapes would be most of the spans of an idle cluster and say nothing.
const UNTRACED_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * Starts the OpenTelemetry Node SDK for traces: exporter, sampler (OTEL_TRACES_SAMPLER and
 * _ARG), propagators (W3C trace context and baggage unless OTEL_PROPAGATORS says otherwise) and
 * resource all come from the OTEL_* variables. Instrumented: incoming and outgoing HTTP (which
 * continues a caller's `traceparent`), pg (records, Prisma's driver adapter) and ioredis. Metrics
 * are not the SDK's business here (see startMetrics): handing it none keeps it from making its own
 * OTLP reader.
 */
export async function startTracing(settings: TelemetrySettings): Promise<() => Promise<void>> {
  // ES modules are instrumented through a loader hook; it only wraps the modules the
  // instrumentations name, and must be in place before any of them is imported.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) =>
        UNTRACED_PATHS.has((request.url ?? "").split("?")[0] ?? ""),
    }),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ];
  // Their own metrics would duplicate ours under the same names (http.server.request.duration
  // without a route): the services record what METRICS lists, nothing else.
  for (const instrumentation of instrumentations) instrumentation.setMeterProvider(NO_METRICS);
  const sdk = new NodeSDK({
    // The metrics' resource: both signals name the replica alike (host:pid, or what
    // OTEL_RESOURCE_ATTRIBUTES says), where the SDK's detectors would give spans a random id.
    resource: processResource(settings),
    autoDetectResources: false,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return () => sdk.shutdown();
}
