import { metricsPortFrom } from "./telemetry-env.ts";

/** The services Tidings runs; each is the default `service.name` `tidings-<service>`. */
export type TidingsService = "records" | "evaluator" | "gateway" | "standalone";

/** What a process exports, read from the standard OTEL_* variables and TIDINGS_METRICS_PORT. */
export interface TelemetrySettings {
  serviceName: string;
  /** Spans are made and exported (OTLP, or what OTEL_TRACES_EXPORTER names). */
  traces: boolean;
  /** Metrics are pushed over OTLP every OTEL_METRIC_EXPORT_INTERVAL. */
  pushMetrics: boolean;
  /** Port of the Prometheus listener; 0: none. */
  metricsPort: number;
  /** Interface the Prometheus listener binds, the service's own TIDINGS_HOST. */
  metricsHost: string;
}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");

// An exporter list from OTEL_<signal>_EXPORTER; when unset, OTLP exactly when an endpoint for it is
// configured. The SDK alone would default to OTLP on localhost:4318 and log a failed export every
// few seconds on a machine where nothing listens: here nothing is exported unless asked for.
function exports(
  env: NodeJS.ProcessEnv,
  exporter: string | undefined,
  endpoint: string | undefined,
) {
  const named = list(exporter);
  if (named.length > 0) return !named.includes("none");
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || endpoint);
}

/** Reads the settings; OTEL_SDK_DISABLED=true turns off traces and OTLP metrics, not /metrics. */
export function telemetrySettings(
  service: TidingsService,
  env: NodeJS.ProcessEnv,
): TelemetrySettings {
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true";
  return {
    serviceName: env.OTEL_SERVICE_NAME || `tidings-${service}`,
    traces:
      !disabled && exports(env, env.OTEL_TRACES_EXPORTER, env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    pushMetrics:
      !disabled && exports(env, env.OTEL_METRICS_EXPORTER, env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT),
    metricsPort: metricsPortFrom(env),
    metricsHost: env.TIDINGS_HOST || "127.0.0.1",
  };
}
