import {
  type Attributes,
  type Counter,
  type Histogram,
  metrics,
  type ObservableResult,
  type UpDownCounter,
} from "@opentelemetry/api";
import type { MetricSpec } from "./metric-catalog.ts";

// Latencies of this system run from well under a millisecond (a match) to seconds (a backlog):
// the semantic conventions' HTTP buckets with the sub-millisecond end added.
const SECONDS_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1,
  2.5, 5, 7.5, 10,
];

// Instruments are made when a component is built, after startTelemetry registered the provider;
// with none registered the API hands out no-op instruments that cost a call each.
const meter = () => metrics.getMeter("tidings");

const options = (spec: MetricSpec) => ({ unit: spec.unit, description: spec.description });

/** A monotonic counter of `spec`. */
export function counterOf(spec: MetricSpec): Counter {
  return meter().createCounter(spec.name, options(spec));
}

/** An up-down counter of `spec` (a level kept by +1/-1). */
export function upDownOf(spec: MetricSpec): UpDownCounter {
  return meter().createUpDownCounter(spec.name, options(spec));
}

/** A histogram of `spec`, with buckets for seconds when that is its unit. */
export function histogramOf(spec: MetricSpec): Histogram {
  return meter().createHistogram(spec.name, {
    ...options(spec),
    ...(spec.unit === "s" ? { advice: { explicitBucketBoundaries: SECONDS_BUCKETS } } : {}),
  });
}

/**
 * A gauge of `spec` read when metrics are collected: `observe` reports the values (once per
 * attribute set). Returns the function that stops observing.
 */
export function gaugeOf(
  spec: MetricSpec,
  observe: (report: (value: number, attributes?: Attributes) => void) => void | Promise<void>,
): () => void {
  const gauge = meter().createObservableGauge(spec.name, options(spec));
  const callback = (result: ObservableResult) =>
    observe((value, attributes) => result.observe(value, attributes));
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
