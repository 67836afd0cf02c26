import { describe, expect, it } from "vitest";
import { loadChart, renderChart, type Values } from "./chart.ts";
import { CONNECTED, MONITORING } from "./fixtures.ts";
import { ofKind, type PrometheusRule } from "./kube.ts";
import { prometheusSeries, queryProblems } from "./metric-series.ts";
import { metadataProblems, monitoringProblems } from "./monitoring-crds.ts";
import { promqlRefs } from "./promql.ts";

const chart = loadChart();
const series = prometheusSeries();

function ruleOf(metrics: Values = MONITORING): PrometheusRule {
  const [rule, ...others] = ofKind<PrometheusRule>(
    renderChart(chart, { ...CONNECTED, metrics }).manifests,
    "PrometheusRule",
  );
  if (!rule || others.length > 0) throw new Error("one PrometheusRule");
  return rule;
}

const alertsOf = (rule: PrometheusRule) => rule.spec.groups.flatMap((group) => group.rules);

/** The alerts issue 16 asks for, with their default threshold, `for` and the metric they watch. */
const EXPECTED = {
  TidingsOutboxBehind: { threshold: "30", for: "2m", series: "tidings_outbox_oldest_age" },
  TidingsConsumerLag: { threshold: "1000", for: "5m", series: "tidings_evaluator_pending" },
  TidingsDeadLettersGrowing: {
    threshold: "0",
    for: "0m",
    series: "tidings_evaluator_dead_letters_total",
  },
  TidingsDeliveryLatencyHigh: {
    threshold: "0.5",
    for: "5m",
    series: "tidings_gateway_delivery_latency_bucket",
  },
  TidingsSlowConsumerRate: {
    threshold: "1",
    for: "10m",
    series: "tidings_gateway_slow_consumer_disconnects_total",
  },
};

describe("PrometheusRule", () => {
  const rule = ruleOf();

  it("is a valid monitoring.coreos.com/v1 object", () => {
    expect([...monitoringProblems(rule), ...metadataProblems(rule)]).toEqual([]);
  });

  it("alerts on outbox age, consumer lag, dead letters, delivery p99 and slow consumers", () => {
    const alerts = alertsOf(rule);
    expect(alerts.map((a) => a.alert)).toEqual(Object.keys(EXPECTED));
    for (const alert of alerts) {
      const expected = EXPECTED[alert.alert as keyof typeof EXPECTED];
      expect(new Set(promqlRefs(alert.expr).metrics), alert.alert).toEqual(
        new Set([expected.series]),
      );
      expect(alert.expr, alert.alert).toMatch(new RegExp(` > ${expected.threshold}\\)?$`));
      expect(alert.for, alert.alert).toBe(expected.for);
      expect(alert.labels?.severity, alert.alert).toMatch(/^(critical|warning)$/);
      expect(alert.annotations?.summary, alert.alert).toBeTruthy();
    }
  });

  it("query only series the services expose, with their labels, in the release's namespace", () => {
    for (const alert of alertsOf(rule)) {
      expect(queryProblems(alert.expr, series)).toEqual([]);
      expect(alert.expr).toContain('{namespace="tidings"}');
    }
    const expr = (name: string) => alertsOf(rule).find((a) => a.alert === name)?.expr;
    expect(expr("TidingsDeliveryLatencyHigh")).toMatch(/^histogram_quantile\(0\.99, .*\[5m\]/);
    // The first dead letter of a process starts its series, which increase() alone would miss.
    expect(expr("TidingsDeadLettersGrowing")).toMatch(/\[10m\][\s\S]*unless .* offset 10m\)/);
  });

  it("takes thresholds, durations, severities, labels and namespace from values", () => {
    const custom = ruleOf({
      prometheusRule: {
        enabled: true,
        namespace: "monitoring",
        additionalLabels: { release: "kube-prometheus-stack" },
        alerts: {
          outboxBehind: { threshold: 120, for: "5m", severity: "page" },
          deliveryLatencyHigh: { threshold: 0.25, window: "10m", for: "15m" },
        },
      },
    });
    expect(monitoringProblems(custom)).toEqual([]);
    expect(custom.metadata.namespace).toBe("monitoring");
    expect(custom.metadata.labels?.release).toBe("kube-prometheus-stack");
    const byName = new Map(alertsOf(custom).map((a) => [a.alert, a]));
    const outbox = byName.get("TidingsOutboxBehind");
    expect(outbox?.expr).toMatch(/ > 120$/);
    expect(outbox).toMatchObject({ for: "5m", labels: { severity: "page" } });
    const latency = byName.get("TidingsDeliveryLatencyHigh");
    expect(latency?.expr).toMatch(/\[10m\]\)\)\) > 0.25$/);
    expect(latency).toMatchObject({ for: "15m", labels: { severity: "warning" } });
    // A rule in Prometheus' namespace still watches the release's.
    for (const alert of byName.values()) expect(alert.expr).toContain('{namespace="tidings"}');
  });

  it("leaves out an alert set to null", () => {
    const rule = ruleOf({ prometheusRule: { enabled: true, alerts: { consumerLag: null } } });
    expect(alertsOf(rule).map((a) => a.alert)).not.toContain("TidingsConsumerLag");
    expect(alertsOf(rule)).toHaveLength(Object.keys(EXPECTED).length - 1);
  });

  it("passes Prometheus' alert templating through to the annotations", () => {
    const outbox = alertsOf(rule).find((a) => a.alert === "TidingsOutboxBehind");
    expect(outbox?.annotations?.description).toContain("{{ $value | humanizeDuration }}");
  });
});
