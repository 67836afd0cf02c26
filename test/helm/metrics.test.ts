import { metricsPortFrom } from "@tidings/telemetry";
import { describe, expect, it } from "vitest";
import { loadChart, type Manifest, renderChart, type Values } from "./chart.ts";
import { COMPONENTS, CONNECTED, MONITORING } from "./fixtures.ts";
import {
  componentOf,
  containerEnv,
  type Deployment,
  forComponent,
  type Ingress,
  ofKind,
  onlyContainer,
  renderedSecrets,
  type Service,
  type ServiceMonitor,
  selectedDeployments,
  selects,
} from "./kube.ts";
import { metadataProblems, monitoringProblems } from "./monitoring-crds.ts";
import { SERVICE_CONFIG } from "./service-config.ts";

const chart = loadChart();
const withMetrics = (metrics: Values) => ({ ...CONNECTED, metrics });

const hasMetricsPort = (service: Service) => service.spec.ports.some((p) => p.name === "metrics");
const metricsServices = (manifests: Manifest[]) =>
  ofKind<Service>(manifests, "Service").filter(hasMetricsPort);

describe("metrics", () => {
  const { manifests } = renderChart(chart, CONNECTED);

  it.each(COMPONENTS)(
    "%s: on by default, on a container port named metrics that the service is told",
    (component) => {
      const container = onlyContainer(forComponent<Deployment>(manifests, "Deployment", component));
      const env = containerEnv(manifests, container, renderedSecrets(manifests));
      const port = container.ports?.find((p) => p.name === "metrics")?.containerPort;
      expect(port).toBe(9464);
      // The function the service's telemetry start-up reads the variable with, and its own loader.
      expect(metricsPortFrom(env)).toBe(port);
      expect(SERVICE_CONFIG[component].load(env).unknownVariables).toEqual([]);
    },
  );

  it("have a headless Service per component that lists its pods' metrics port", () => {
    const services = metricsServices(manifests);
    expect(services.map(componentOf).sort()).toEqual([...COMPONENTS].sort());
    for (const service of services) {
      expect(service.spec.clusterIP, service.metadata.name).toBe("None");
      expect(service.spec.ports).toEqual([{ name: "metrics", port: 9464, targetPort: "metrics" }]);
      const [deployment, ...others] = selectedDeployments(manifests, service.spec.selector);
      expect(others).toEqual([]);
      expect(deployment && componentOf(deployment)).toBe(componentOf(service));
      const container = deployment && onlyContainer(deployment);
      expect(container?.ports?.map((p) => p.name)).toContain("metrics");
    }
  });

  it("stay off the API Services and the Ingresses: /metrics is unauthenticated", () => {
    const everything = renderChart(chart, { ...CONNECTED, ingress: { enabled: true } }).manifests;
    const api = ofKind<Service>(everything, "Service").filter((s) => !hasMetricsPort(s));
    expect(api.map(componentOf).sort()).toEqual(["gateway", "records"]);
    const backends = ofKind<Ingress>(everything, "Ingress").flatMap((i) =>
      i.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service.name)),
    );
    expect(backends.length).toBeGreaterThan(0);
    for (const service of metricsServices(everything))
      expect(backends).not.toContain(service.metadata.name);
  });

  it("follow metrics.port, and refuse a port the service already listens on", () => {
    const moved = renderChart(chart, withMetrics({ port: 9100 })).manifests;
    const gateway = onlyContainer(forComponent<Deployment>(moved, "Deployment", "gateway"));
    expect(gateway.ports?.find((p) => p.name === "metrics")?.containerPort).toBe(9100);
    expect(metricsPortFrom(containerEnv(moved, gateway, renderedSecrets(moved)))).toBe(9100);
    expect(metricsServices(moved).map((s) => s.spec.ports[0]?.port)).toEqual([9100, 9100, 9100]);
    // 8091 is the records service's gRPC port, 8092 the evaluator's.
    for (const port of [8090, 8091, 8092])
      expect(() => renderChart(chart, withMetrics({ port }))).toThrow(
        `metrics.port ${port} is already a port of this service`,
      );
  });

  it("can be turned off: no variable, port or Service", () => {
    const off = renderChart(chart, withMetrics({ enabled: false })).manifests;
    for (const component of COMPONENTS) {
      const container = onlyContainer(forComponent<Deployment>(off, "Deployment", component));
      expect(container.ports?.map((p) => p.name)).not.toContain("metrics");
      const env = containerEnv(off, container, renderedSecrets(off));
      expect(env.TIDINGS_METRICS_PORT).toBeUndefined();
      expect(metricsPortFrom(env)).toBe(0);
    }
    expect(metricsServices(off)).toEqual([]);
    expect(() => renderChart(chart, withMetrics({ ...MONITORING, enabled: false }))).toThrow(
      "metrics.serviceMonitor.enabled needs metrics.enabled",
    );
  });

  it("make no ServiceMonitor, PrometheusRule or dashboard unless asked", () => {
    for (const kind of ["ServiceMonitor", "PrometheusRule"])
      expect(ofKind(manifests, kind)).toEqual([]);
    expect(ofKind(manifests, "ConfigMap").map(componentOf)).not.toContain("dashboard");
  });
});

describe("ServiceMonitor", () => {
  const { manifests } = renderChart(chart, withMetrics(MONITORING));
  const [monitor, ...others] = ofKind<ServiceMonitor>(manifests, "ServiceMonitor");

  it("is a valid monitoring.coreos.com/v1 object", () => {
    expect(others).toEqual([]);
    expect(monitor && [...monitoringProblems(monitor), ...metadataProblems(monitor)]).toEqual([]);
  });

  it("scrapes /metrics of every pod of the release, one job per component", () => {
    const spec = monitor?.spec;
    expect(spec?.namespaceSelector?.matchNames).toEqual(["tidings"]);
    expect(spec?.endpoints).toEqual([{ port: "metrics", path: "/metrics" }]);
    // Prometheus keeps the endpoints of the selected Services whose port has that name.
    const selected = ofKind<Service>(manifests, "Service")
      .filter((s) => selects(spec?.selector.matchLabels ?? {}, s.metadata.labels ?? {}))
      .filter((s) => s.spec.ports.some((p) => p.name === spec?.endpoints[0]?.port));
    expect(selected).toEqual(metricsServices(manifests));
    const scraped = selected.flatMap((s) => selectedDeployments(manifests, s.spec.selector));
    expect(scraped.map(componentOf).sort()).toEqual([...COMPONENTS].sort());
  });

  it("takes the interval, timeout, labels and namespace Prometheus needs", () => {
    const serviceMonitor = {
      enabled: true,
      namespace: "monitoring",
      labels: { release: "kube-prometheus-stack" },
      interval: "15s",
      scrapeTimeout: "10s",
    };
    const rendered = renderChart(chart, withMetrics({ serviceMonitor })).manifests;
    const [custom] = ofKind<ServiceMonitor>(rendered, "ServiceMonitor");
    expect(custom && monitoringProblems(custom)).toEqual([]);
    expect(custom?.metadata.namespace).toBe("monitoring");
    expect(custom?.metadata.labels?.release).toBe("kube-prometheus-stack");
    expect(custom?.spec.endpoints[0]).toMatchObject({ interval: "15s", scrapeTimeout: "10s" });
    // It still selects the Services in the release's namespace.
    expect(custom?.spec.namespaceSelector?.matchNames).toEqual(["tidings"]);
  });
});
