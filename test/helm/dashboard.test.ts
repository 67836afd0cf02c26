import { readFileSync } from "node:fs";
import { METRICS } from "@tidings/telemetry";
import { describe, expect, it } from "vitest";
import { CHART_DIR, loadChart, renderChart, type Values } from "./chart.ts";
import { CONNECTED } from "./fixtures.ts";
import { type ConfigMap, componentOf, ofKind } from "./kube.ts";
import { prometheusSeries, queryProblems } from "./metric-series.ts";
import { metadataProblems } from "./monitoring-crds.ts";
import { fromGrafana, promqlRefs } from "./promql.ts";

/** The parts of Grafana's dashboard model the checks read. */
interface Target {
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
  includeAll?: boolean;
  allValue?: string;
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const chart = loadChart();
const series = prometheusSeries();
const FILE = "dashboards/tidings.json";
const dashboard = JSON.parse(readFileSync(new URL(FILE, CHART_DIR), "utf8")) as Dashboard;
const targets = dashboard.panels.flatMap((panel) => panel.targets ?? []);
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, meant literally.
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

function dashboardMap(grafanaDashboard: Values = { enabled: true }): ConfigMap {
  const { manifests } = renderChart(chart, { ...CONNECTED, metrics: { grafanaDashboard } });
  const found = ofKind<ConfigMap>(manifests, "ConfigMap").filter(
    (map) => componentOf(map) === "dashboard",
  );
  if (found.length !== 1) throw new Error(`${found.length} dashboard ConfigMaps`);
  return found[0] as ConfigMap;
}

describe("Grafana dashboard ConfigMap", () => {
  it("holds the chart's dashboard file, labelled for Grafana's sidecar", () => {
    const map = dashboardMap();
    expect(metadataProblems(map)).toEqual([]);
    expect(map.metadata.labels?.grafana_dashboard).toBe("1");
    expect(map.metadata.namespace).toBeUndefined();
    expect(Object.keys(map.data ?? {})).toEqual(["tidings.json"]);
    expect(JSON.parse(map.data?.["tidings.json"] ?? "")).toEqual(dashboard);
  });

  it("takes the sidecar's label, a namespace and annotations (folder) from values", () => {
    const map = dashboardMap({
      enabled: true,
      label: "example.com/dashboard",
      labelValue: "tidings",
      namespace: "monitoring",
      annotations: { grafana_folder: "Tidings" },
    });
    expect(metadataProblems(map)).toEqual([]);
    expect(map.metadata.labels?.["example.com/dashboard"]).toBe("tidings");
    expect(map.metadata.labels?.grafana_dashboard).toBeUndefined();
    expect(map.metadata.namespace).toBe("monitoring");
    expect(map.metadata.annotations).toEqual({ grafana_folder: "Tidings" });
  });
});

describe("Grafana dashboard", () => {
  it("picks its Prometheus, namespace and jobs through template variables", () => {
    const [datasource, namespace, job] = dashboard.templating.list;
    expect(datasource).toMatchObject({
      name: "datasource",
      type: "datasource",
      query: "prometheus",
    });
    expect(namespace).toMatchObject({ name: "namespace", type: "query", datasource: DATASOURCE });
    expect(job).toMatchObject({ name: "job", type: "query", datasource: DATASOURCE });
    expect(job?.includeAll).toBe(true);
    for (const variable of [namespace, job]) {
      const query = typeof variable?.query === "string" ? variable.query : variable?.query.query;
      const [, selector = "", label = ""] =
        /^label_values\((.+), *(\w+)\)$/.exec(query ?? "") ?? [];
      expect(queryProblems(selector, series), variable?.name).toEqual([]);
      expect(label).toBe(variable?.name);
    }
  });

  it("queries the chosen Prometheus from every panel", () => {
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource).toEqual(DATASOURCE);
    }
  });

  it("charts only series the services expose, with their labels, in the chosen namespace and jobs", () => {
    expect(targets.length).toBeGreaterThan(15);
    for (const { expr } of targets) {
      expect(queryProblems(fromGrafana(expr), series)).toEqual([]);
      expect(expr).toContain('{namespace="$namespace", job=~"$job"');
    }
  });

  it("charts every metric of the catalog", () => {
    const charted = new Set(
      targets.flatMap(({ expr }) =>
        promqlRefs(fromGrafana(expr)).metrics.map((s) => series.get(s)),
      ),
    );
    const missing = Object.values(METRICS).filter(
      (metric) => ![...charted].some((found) => found?.metric === metric),
    );
    expect(missing.map((metric) => metric.name)).toEqual([]);
  });

  it("lays its panels out without overlap, within Grafana's 24 columns", () => {
    const cells = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), title).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
