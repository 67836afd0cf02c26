import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { CHART_DIR, loadChart, mergeValues, ROOT, renderChart, type Values } from "./chart.ts";
import { COMPONENTS, CONNECTED, EVERYTHING, SCENARIOS } from "./fixtures.ts";
import { metadataProblems } from "./monitoring-crds.ts";
import { startedEnv } from "./pod-env.ts";
import { LEFT_UNSET, readByOpenTelemetry, SERVICE_CONFIG } from "./service-config.ts";

const chart = loadChart();
const schema = JSON.parse(readFileSync(new URL("values.schema.json", CHART_DIR), "utf8"));
// Helm validates the merged values against values.schema.json (draft 7, Ajv's default draft).
const validate = new Ajv({ allErrors: true }).compile(schema);

function errorsFor(overrides: Values): string[] {
  validate(mergeValues(chart.values, overrides));
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The TIDINGS_* names values.schema.json allows in `<component>.env` (OTEL_* ones aside). */
function allowedExtras(component: string): string[] {
  return schema.properties[component].properties.env.propertyNames.anyOf[0].enum;
}

describe("Chart.yaml", () => {
  it("is a v2 application chart named after its folder, versioned like the project", () => {
    const project = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8"));
    expect(chart.meta.apiVersion).toBe("v2");
    expect(chart.meta.name).toBe("tidings");
    expect(chart.meta.type).toBe("application");
    expect(chart.meta.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.meta.appVersion).toBe(project.version);
  });
});

describe("values.yaml", () => {
  it("passes values.schema.json, as helm install checks", () => {
    expect(errorsFor({})).toEqual([]);
    expect(errorsFor(EVERYTHING)).toEqual([]);
  });

  it("is refused with a variable no service reads, or one of another service", () => {
    expect(errorsFor({ records: { env: { TIDINGS_BODY_LIMT: "1" } } })).toContain(
      "/records/env must be equal to one of the allowed values",
    );
    expect(errorsFor({ records: { env: { TIDINGS_EVALUATOR_BATCH_SIZE: "1" } } })).toContain(
      "/records/env must be equal to one of the allowed values",
    );
    expect(errorsFor({ gateway: { env: { TIDINGS_MAX_MESSAGE_BYTES: 1024 } } })).toContain(
      "/gateway/env/TIDINGS_MAX_MESSAGE_BYTES must be string",
    );
  });

  it("takes OpenTelemetry's variables in env, but not those opentelemetry.* sets", () => {
    for (const component of COMPONENTS) {
      const env = (name: string) => errorsFor({ [component]: { env: { [name]: "1" } } });
      for (const name of ["OTEL_BSP_SCHEDULE_DELAY", "OTEL_SERVICE_NAME", "OTEL_SDK_DISABLED"])
        expect(env(name), name).toEqual([]);
      // Set from opentelemetry.*, or not a variable of the services or their SDK: as before.
      for (const name of [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_METRICS_EXPORTER",
        "otel_bsp_schedule_delay",
        "POD_NAME",
        "NODE_OPTIONS",
      ])
        expect(env(name), name).toContain(
          `/${component}/env must be equal to one of the allowed values`,
        );
    }
  });

  it("is refused with OpenTelemetry settings the SDK would not take", () => {
    const paths = (opentelemetry: Values) =>
      errorsFor({ opentelemetry }).map((e) => e.split(" ")[0]);
    for (const protocol of ["http", "grpc+tls", "HTTP/PROTOBUF", ""])
      expect(paths({ protocol }), protocol).toContain("/opentelemetry/protocol");
    expect(paths({ endpoint: "otel-collector:4317" })).toContain("/opentelemetry/endpoint");
    expect(paths({ tracesSampler: "jaeger_remote" })).toContain("/opentelemetry/tracesSampler");
    for (const ratio of [1.5, -0.1, "half", "10%"])
      expect(paths({ tracesSamplerArg: ratio }), String(ratio)).toContain(
        "/opentelemetry/tracesSamplerArg",
      );
    expect(paths({ pushMetrics: "yes" })).toContain("/opentelemetry/pushMetrics");
    expect(paths({ headers: { existingSecret: "Otel Auth" } })).toContain(
      "/opentelemetry/headers/existingSecret",
    );
    // The chart's own attributes, and what OTEL_RESOURCE_ATTRIBUTES cannot carry unencoded.
    const attributes = (map: Values) => paths({ resourceAttributes: map });
    expect(attributes({ "k8s.pod.name": "x" })).toContain("/opentelemetry/resourceAttributes");
    expect(attributes({ "service.name": "x" })).toContain("/opentelemetry/resourceAttributes");
    for (const value of ["a,b", "a=b", "100%", "x".repeat(256)])
      expect(attributes({ team: value }), value).toContain(
        "/opentelemetry/resourceAttributes/team",
      );
    expect(paths({ sampler: "always_on" })).toContain("/opentelemetry");
    expect(
      errorsFor({
        opentelemetry: {
          endpoint: "https://otlp.example.com",
          protocol: "http/json",
          tracesSamplerArg: 0,
          resourceAttributes: { team: "feeds%2Cops", "service.namespace": "tidings" },
        },
      }),
    ).toEqual([]);
  });

  it("is refused with values the services would refuse at start", () => {
    const paths = (overrides: Values) => errorsFor(overrides).map((e) => e.split(" ")[0]);
    expect(paths({ nats: { partitions: 0 } })).toContain("/nats/partitions");
    expect(paths({ redis: { prefix: "9lives" } })).toContain("/redis/prefix");
    expect(paths({ auth: { jwtSecret: "short" } })).toContain("/auth/jwtSecret");
    expect(paths({ postgresql: { url: "mysql://db/tidings" } })).toContain("/postgresql/url");
    expect(paths({ gateway: { replica: 3 } })).toContain("/gateway");
  });

  it("is refused with metrics settings Kubernetes or Prometheus would refuse", () => {
    const paths = (metrics: Values) => errorsFor({ metrics }).map((e) => e.split(" ")[0]);
    expect(paths({ port: 0 })).toContain("/metrics/port");
    expect(paths({ serviceMonitor: { interval: "30 seconds" } })).toContain(
      "/metrics/serviceMonitor/interval",
    );
    expect(paths({ grafanaDashboard: { labelValue: "yes please" } })).toContain(
      "/metrics/grafanaDashboard/labelValue",
    );
    const alerts = (value: Values) => paths({ prometheusRule: { alerts: value } });
    expect(alerts({ consumerLag: { threshold: -1 } })).toContain(
      "/metrics/prometheusRule/alerts/consumerLag/threshold",
    );
    expect(alerts({ slowConsumerRate: { window: "" } })).toContain(
      "/metrics/prometheusRule/alerts/slowConsumerRate/window",
    );
    expect(alerts({ outboxBehnd: { threshold: 1 } })).toContain("/metrics/prometheusRule/alerts");
  });

  it("is refused with pod, network and connection settings Kubernetes or the services would refuse", () => {
    const paths = (overrides: Values) => errorsFor(overrides).map((e) => e.split(" ")[0]);
    expect(paths({ podSecurityContext: { runAsUsr: 1000 } })).toContain("/podSecurityContext");
    expect(paths({ containerSecurityContext: { readOnlyRootFilesystem: "yes" } })).toContain(
      "/containerSecurityContext/readOnlyRootFilesystem",
    );
    expect(paths({ records: { podLabels: { "app.kubernetes.io/component": "x" } } })).toContain(
      "/records/podLabels",
    );
    expect(paths({ gateway: { extraEnv: [{ value: "no name" }] } })).toContain(
      "/gateway/extraEnv/0",
    );
    expect(
      paths({ evaluator: { extraVolumeMounts: [{ name: "v", mountPath: "relative" }] } }),
    ).toContain("/evaluator/extraVolumeMounts/0/mountPath");
    expect(
      paths({ gateway: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone" }] } }),
    ).toContain("/gateway/topologySpreadConstraints/0");
    expect(paths({ gateway: { api: { parentRefs: [{ namespace: "gw" }] } } })).toContain(
      "/gateway/api/parentRefs/0",
    );
    expect(paths({ networkPolicy: { public: { from: [{ namespace: "x" }] } } })).toContain(
      "/networkPolicy/public/from/0",
    );
    expect(paths({ networkPolicy: { egress: { nats: { ports: [0] } } } })).toContain(
      "/networkPolicy/egress/nats/ports/0",
    );
    expect(paths({ nats: { replicas: 7 } })).toContain("/nats/replicas");
    expect(paths({ nats: { credentials: { secretName: "Not A Name" } } })).toContain(
      "/nats/credentials/secretName",
    );
    expect(paths({ redis: { cluster: { nodes: ["redis://r:6379"] } } })).toContain(
      "/redis/cluster/nodes/0",
    );
    expect(paths({ migrations: { databaseUrl: "mysql://db/tidings" } })).toContain(
      "/migrations/databaseUrl",
    );
    expect(paths({ serviceAccount: { automount: false } })).toContain("/serviceAccount");
    expect(paths({ tests: { timeoutSeconds: 1 } })).toContain("/tests/timeoutSeconds");
    // null takes a default out, as OpenShift needs for the user and group.
    expect(errorsFor({ podSecurityContext: { runAsUser: null, runAsGroup: null } })).toEqual([]);
  });

  it("holds every .Values path the templates read", () => {
    const missing: string[] = [];
    for (const [file, source] of chart.templates) {
      for (const [, path = ""] of source.matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) {
        let value: unknown = chart.values;
        for (const key of path.slice(1).split(".")) value = (value as Values | undefined)?.[key];
        if (value === undefined) missing.push(`${file}: .Values${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("templates", () => {
  it("parse, with an {{ end }} for every if, range, with and define", () => {
    // chart-render parses every template with Go's text/template before it renders any, as Helm.
    expect(chart.templates.size).toBeGreaterThan(0);
    expect(() => renderChart(chart, CONNECTED)).not.toThrow();
  });

  it("render objects whose names, namespaces and labels Kubernetes accepts", () => {
    for (const values of [CONNECTED, EVERYTHING])
      expect(renderChart(chart, values).manifests.flatMap(metadataProblems)).toEqual([]);
  });
});

describe("each service's variables", () => {
  it.each(COMPONENTS)(
    "%s: are set by the chart (with some value set), allowed in its env, or left unset on purpose",
    (component) => {
      // Some exclude others (a .creds file or an nkey): the union over the value sets.
      const set = new Set(
        Object.values(SCENARIOS).flatMap((values) =>
          Object.keys(startedEnv(renderChart(chart, values).manifests, component).env).filter(
            (name) => !readByOpenTelemetry(name) && name.startsWith("TIDINGS_"),
          ),
        ),
      );
      const extras = allowedExtras(component);
      const unset = Object.keys(LEFT_UNSET[component]);
      // Three disjoint groups that together are exactly what the service reads.
      expect([...set, ...extras, ...unset].sort()).toEqual(
        [...SERVICE_CONFIG[component].variables].sort(),
      );
    },
  );
});
