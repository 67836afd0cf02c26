import { type TidingsService, telemetrySettings } from "./telemetry-settings.ts";

/** Telemetry of one process, started before anything it instruments is loaded. */
export interface Telemetry {
  /** True when spans are recorded and exported. */
  readonly traces: boolean;
  /** The Prometheus listener's port, once bound (0: none). */
  readonly metricsPort: number;
  /** Flushes what is buffered and stops the exporters. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for `service` as the OTEL_* variables and TIDINGS_METRICS_PORT ask. Call it
 * first and load the rest of the process afterwards (a dynamic import): the instrumentations of
 * http, pg and ioredis hook module loading, and a module loaded before them is not instrumented.
 * With nothing configured nothing is loaded, hooked or exported: the API's no-op tracer and meter
 * stay in place, which is what keeps the cost of telemetry off at zero.
 */
export async function startTelemetry(
  service: TidingsService,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Telemetry> {
  const settings = telemetrySettings(service, env);
  const stops: (() => Promise<void>)[] = [];
  let metricsPort = 0;
  if (settings.metricsPort > 0 || settings.pushMetrics) {
    const { startMetrics } = await import("./start-metrics.ts");
    const metrics = await startMetrics(settings);
    metricsPort = metrics.port;
    stops.push(metrics.shutdown);
  }
  if (settings.traces) {
    const { startTracing } = await import("./start-tracing.ts");
    stops.push(await startTracing(settings));
  }
  return {
    traces: settings.traces,
    metricsPort,
    async shutdown() {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}
