import { METRICS, type MetricSpec } from "@tidings/telemetry";
import { fullMatch, promqlRefs } from "./promql.ts";

/**
 * Labels Prometheus gives every series it scrapes from a pod found through a Service (the
 * ServiceMonitor's endpoints discovery); the dashboard and the alerts may group by them.
 */
export const TARGET_LABELS = [
  "namespace",
  "job",
  "instance",
  "pod",
  "service",
  "endpoint",
  "container",
];

/** A series name as Prometheus stores it, the metric it comes from and the labels it carries. */
export interface Series {
  metric: MetricSpec;
  labels: ReadonlySet<string>;
}

// As the OpenTelemetry Prometheus exporter writes metric names and attribute keys: any character
// but letters, digits and underscores (dots) becomes one underscore; it adds no unit suffix.
const prometheusName = (name: string) => name.replace(/[^A-Za-z0-9_]/g, "_").replace(/_{2,}/g, "_");

/** Suffixes the exporter adds to each kind of instrument. */
const SUFFIXES: Record<MetricSpec["kind"], string[]> = {
  counter: ["_total"],
  histogram: ["_bucket", "_sum", "_count"],
  gauge: [""],
};

/** Every series the services can expose on /metrics, by Prometheus name. */
export function prometheusSeries(metrics: readonly MetricSpec[] = Object.values(METRICS)) {
  const series = new Map<string, Series>();
  for (const metric of metrics) {
    const attributes = metric.attributes.map(prometheusName);
    for (const suffix of SUFFIXES[metric.kind]) {
      const labels = new Set([...attributes, ...TARGET_LABELS]);
      if (suffix === "_bucket") labels.add("le");
      series.set(prometheusName(metric.name) + suffix, { metric, labels });
    }
  }
  return series;
}

/**
 * Why `expr` would chart or alert on nothing: it does not parse, names a series the services do not
 * expose, or uses a label none of its series carry. Empty when it fits the metric catalog.
 */
export function queryProblems(expr: string, series: Map<string, Series>): string[] {
  const refs = promqlRefs(expr);
  const problems = refs.errors.map((error) => `does not parse ${error}`);
  const used: Series[] = [];
  for (const name of refs.metrics) {
    const found = series.get(name);
    if (found) used.push(found);
    else problems.push(`no series ${name}`);
  }
  for (const { op, value } of refs.nameMatchers) {
    if (op !== "=~" && op !== "=") problems.push(`__name__${op} selects no series by name`);
    const matching = [...series].filter(([name]) =>
      op === "=" ? name === value : fullMatch(value, name),
    );
    if (matching.length === 0) problems.push(`__name__${op}"${value}" matches no series`);
    used.push(...matching.map(([, found]) => found));
  }
  if (refs.metrics.length + refs.nameMatchers.length === 0) problems.push("selects no series");
  for (const label of new Set(refs.labels))
    if (!used.some((found) => found.labels.has(label)))
      problems.push(`label ${label} is on none of ${[...refs.metrics].join(", ") || "its series"}`);
  return problems.map((problem) => `${expr}: ${problem}`);
}
