export { inSpan } from "./in-span.ts";
export {
  counterOf,
  histogramOf,
  observeGauges,
} from "./instruments.ts";
export { METRICS, type MetricKind, type MetricSpec } from "./metric-catalog.ts";
export { startTelemetry, type Telemetry } from "./start-telemetry.ts";
export { metricsPortFrom, telemetryEnv } from "./telemetry-env.ts";
export {
  type TelemetrySettings,
  type TidingsService,
  telemetrySettings,
} from "./telemetry-settings.ts";
