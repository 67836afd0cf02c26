import type { PushMetricExporter } from "@opentelemetry/sdk-metrics";

/**
 * The OTLP metric exporter OTEL_EXPORTER_OTLP_METRICS_PROTOCOL (or OTEL_EXPORTER_OTLP_PROTOCOL)
 * names, `http/protobuf` by default as the specification says; each reads its endpoint, headers
 * and timeout from the OTEL_EXPORTER_OTLP_* variables itself. Loaded on demand: most processes push
 * nothing.
 */
export async function otlpMetricExporter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<PushMetricExporter> {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    "http/protobuf"
  ).trim();
  switch (protocol) {
    case "grpc":
      return new (await import("@opentelemetry/exporter-metrics-otlp-grpc")).OTLPMetricExporter();
    case "http/json":
      return new (await import("@opentelemetry/exporter-metrics-otlp-http")).OTLPMetricExporter();
    case "http/protobuf":
      return new (await import("@opentelemetry/exporter-metrics-otlp-proto")).OTLPMetricExporter();
    default:
      throw new Error(
        `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "${protocol}" is not one of grpc, http/json, http/protobuf`,
      );
  }
}
