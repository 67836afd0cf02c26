import {
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  metrics,
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

/** A histogram of `spec`, with buckets for seconds when that is its unit. */
export function histogramOf(spec: MetricSpec): Histogram {
  return meter().createHistogram(spec.name, {
    ...options(spec),
    ...(spec.unit === "s" ? { advice: { explicitBucketBoundaries: SECONDS_BUCKETS } } : {}),
  });
}

/**
 * Gauges of `specs`, read together when metrics are collected: one `observe` call per collection
 * reports every gauge's values (`report(spec, value, attributes)`), so gauges that come from one
 * walk or one query share it. Returns the function that stops observing.
 */
export function observeGauges(
  specs: readonly MetricSpec[],
  observe: (
    report: (spec: MetricSpec, value: number, attributes?: Attributes) => void,
  ) => void | Promise<void>,
): () => void {
  const tidings = meter();
  const gauges = new Map(
    specs.map((spec) => [spec, tidings.createObservableGauge(spec.name, options(spec))]),
  );
  const callback = (result: BatchObservableResult) =>
    observe((spec, value, attributes) => {
      const gauge = gauges.get(spec);
      if (gauge) result.observe(gauge, value, attributes);
    });
  const observables = [...gauges.values()];
  tidings.addBatchObservableCallback(callback, observables);
  return () => tidings.removeBatchObservableCallback(callback, observables);
}
