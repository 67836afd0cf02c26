import { metrics } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import {
  MeterProvider,
  type MetricReader,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { otlpMetricExporter } from "./otlp-metric-exporter.ts";
import { processResource } from "./telemetry-resource.ts";
import type { TelemetrySettings } from "./telemetry-settings.ts";

/**
 * Registers the process's MeterProvider: a Prometheus listener on `metricsPort` and, when asked, an
 * OTLP push every OTEL_METRIC_EXPORT_INTERVAL ms (60 s by default, the SDK's own default).
 */
export async function startMetrics(
  settings: TelemetrySettings,
): Promise<{ port: number; shutdown(): Promise<void> }> {
  const readers: MetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  if (settings.metricsPort > 0) {
    prometheus = new PrometheusExporter({
      port: settings.metricsPort,
      host: settings.metricsHost,
      preventServerStart: true,
    });
    readers.push(prometheus);
  }
  if (settings.pushMetrics) {
    const interval = Number(process.env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000;
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: await otlpMetricExporter(),
        exportIntervalMillis: interval,
      }),
    );
  }
  const provider = new MeterProvider({ resource: processResource(settings), readers });
  metrics.setGlobalMeterProvider(provider);
  // A port taken or not allowed must stop the start, not leave a process nobody can scrape.
  await prometheus?.startServer();
  return {
    port: settings.metricsPort,
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
