import { describe, expect, it } from "vitest";
import { prometheusSeries, queryProblems } from "./metric-series.ts";
import { fromGrafana, promqlRefs } from "./promql.ts";

// The dashboard and alert checks are only as good as these readers, so what they see is pinned.
describe("PromQL references", () => {
  it("finds the metric names and labels of nested selectors and grouping clauses", () => {
    const refs = promqlRefs(
      'histogram_quantile(0.99, sum by (job, le) (rate(a_bucket{namespace="x"}[5m]))) / on (pod) group_left (node) b > 1',
    );
    expect(refs.metrics).toEqual(["a_bucket", "b"]);
    expect(new Set(refs.labels)).toEqual(new Set(["job", "le", "namespace", "pod", "node"]));
    expect(refs.errors).toEqual([]);
  });

  it("reads __name__ matchers and reports what does not parse", () => {
    expect(promqlRefs('{__name__=~"tidings_.+", job="x"}').nameMatchers).toEqual([
      { op: "=~", value: "tidings_.+" },
    ]);
    expect(promqlRefs("sum by (job (rate(a[5m]))").errors).not.toEqual([]);
    expect(promqlRefs("rate(a[$__rate_interval])").errors).not.toEqual([]);
    expect(promqlRefs(fromGrafana("rate(a[$__rate_interval])")).errors).toEqual([]);
  });
});

describe("series of the metric catalog", () => {
  const series = prometheusSeries();

  it("are named as the OpenTelemetry Prometheus exporter names them", () => {
    expect(series.has("http_server_request_duration_bucket")).toBe(true);
    expect(series.has("tidings_gateway_deliveries_total")).toBe(true);
    expect(series.has("tidings_gateway_connections")).toBe(true);
    expect(series.has("tidings_gateway_deliveries")).toBe(false);
    expect(series.has("http_server_request_duration_seconds_bucket")).toBe(false);
    expect(series.get("tidings_gateway_deliveries_total")?.labels.has("tidings_transport")).toBe(
      true,
    );
  });

  it("refuse queries naming other series or labels", () => {
    expect(queryProblems("rate(tidings_gateway_deliveries[5m])", series)).toHaveLength(1);
    expect(queryProblems("sum by (http_route) (tidings_outbox_backlog)", series)).toHaveLength(1);
    expect(queryProblems('{__name__=~"nothing_.+"}', series)).toHaveLength(1);
    expect(queryProblems("sum by (pod) (tidings_outbox_backlog)", series)).toEqual([]);
  });
});
