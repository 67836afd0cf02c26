import { telemetrySettings } from "@tidings/telemetry";
import { describe, expect, it } from "vitest";
import { loadChart, renderChart, type Values } from "./chart.ts";
import { COMPONENTS, CONNECTED, type Component, OPEN_TELEMETRY } from "./fixtures.ts";
import {
  type Container,
  containerEnv,
  type Deployment,
  type EnvVar,
  forComponent,
  onlyContainer,
  POD,
  renderedSecrets,
} from "./kube.ts";
import { readByOpenTelemetry, SERVICE_CONFIG } from "./service-config.ts";

const chart = loadChart();
const HEADERS = { "otel-auth": { OTEL_EXPORTER_OTLP_HEADERS: "api-key=0123456789abcdef" } };

/** Each component's Deployment, container and environment, with the headers Secret at hand. */
function started(opentelemetry: Values, component: Component, others: Values = {}) {
  const { manifests } = renderChart(chart, { ...CONNECTED, ...others, opentelemetry });
  const deployment = forComponent<Deployment>(manifests, "Deployment", component);
  const container = onlyContainer(deployment);
  const env = containerEnv(manifests, container, { ...renderedSecrets(manifests), ...HEADERS });
  return { manifests, deployment, container, env };
}

/** OTEL_RESOURCE_ATTRIBUTES as the SDK's parser reads it, which drops all of it on any error. */
function resourceAttributes(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (text ?? "").split(",").filter((p) => p.trim() !== "")) {
    const parts = pair.split("=");
    if (parts.length !== 2) throw new Error(`not key=value: ${pair}`);
    const [key = "", value = ""] = parts.map((part) => decodeURIComponent(part.trim()));
    if (key === "" || key.length > 255 || value.length > 255) throw new Error(`refused: ${pair}`);
    attributes[key] = value;
  }
  return attributes;
}

/** `$(NAME)` references of an entry's value, leaving out `$$`-escaped ones. */
function references(entry: EnvVar): string[] {
  const text = (entry.value ?? "").replaceAll("$$", "");
  return [...text.matchAll(/\$\(([^)]*)\)/g)].map(([, name = ""]) => name);
}

const names = (container: Container) => (container.env ?? []).map((entry) => entry.name);
const entry = (container: Container, name: string) =>
  container.env?.find((candidate) => candidate.name === name);

describe("opentelemetry", () => {
  it.each(COMPONENTS)("%s: by default gets no OTEL_* variable and exports nothing", (component) => {
    // Sampler and headers have values by default, or given; without an endpoint they stay unused.
    for (const values of [{}, { headers: { existingSecret: "otel-auth" }, pushMetrics: true }]) {
      const { container, env } = started(values, component);
      expect(Object.keys(env).filter(readByOpenTelemetry)).toEqual([]);
      expect(names(container).filter(readByOpenTelemetry)).toEqual([]);
      // What the service's telemetry start-up makes of it: its default name, /metrics only.
      expect(telemetrySettings(component, env)).toMatchObject({
        serviceName: `tidings-${component}`,
        traces: false,
        pushMetrics: false,
        metricsPort: 9464,
      });
    }
  });

  it.each(COMPONENTS)(
    "%s: with an endpoint gets the OTEL_* variables, the downward API's before their use",
    (component) => {
      const values = {
        endpoint: "https://otlp.example.com:4318",
        headers: { existingSecret: "otel-auth" },
        tracesSampler: "traceidratio",
        tracesSamplerArg: 0.1,
        resourceAttributes: { "deployment.environment.name": "production", team: "feeds%2Cops" },
      };
      const { deployment, container, env } = started(values, component);
      // After the Secret's TIDINGS_* entries, in this order.
      expect(names(container).filter(readByOpenTelemetry)).toEqual([
        "POD_NAME",
        "POD_NAMESPACE",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG",
        "OTEL_METRICS_EXPORTER",
        "OTEL_RESOURCE_ATTRIBUTES",
      ]);
      expect(entry(container, "POD_NAME")?.valueFrom).toEqual({
        fieldRef: { fieldPath: "metadata.name" },
      });
      expect(entry(container, "POD_NAMESPACE")?.valueFrom).toEqual({
        fieldRef: { fieldPath: "metadata.namespace" },
      });
      // The kubelet expands $(NAME) only from variables listed before the entry.
      const listed = names(container);
      for (const [i, item] of (container.env ?? []).entries())
        for (const name of references(item)) expect(listed.slice(0, i), item.name).toContain(name);
      expect(references(entry(container, "OTEL_RESOURCE_ATTRIBUTES") ?? { name: "" })).toEqual([
        "POD_NAMESPACE",
        "POD_NAME",
      ]);
      // The headers come from the Secret, which must have the key.
      expect(entry(container, "OTEL_EXPORTER_OTLP_HEADERS")?.valueFrom).toEqual({
        secretKeyRef: { name: "otel-auth", key: "OTEL_EXPORTER_OTLP_HEADERS" },
      });
      expect(env).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://otlp.example.com:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_EXPORTER_OTLP_HEADERS: HEADERS["otel-auth"].OTEL_EXPORTER_OTLP_HEADERS,
        OTEL_TRACES_SAMPLER: "traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
        OTEL_METRICS_EXPORTER: "none",
      });
      expect(resourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES)).toEqual({
        "k8s.namespace.name": POD.namespace,
        "k8s.pod.name": POD.name,
        "k8s.deployment.name": deployment.metadata.name,
        "deployment.environment.name": "production",
        team: "feeds,ops",
      });
      // Traces go out; metrics stay on /metrics; the service's own loader sees nothing unknown.
      expect(telemetrySettings(component, env)).toMatchObject({
        serviceName: `tidings-${component}`,
        traces: true,
        pushMetrics: false,
        metricsPort: 9464,
      });
      expect(SERVICE_CONFIG[component].load(env).unknownVariables).toEqual([]);
    },
  );

  it("push metrics too with pushMetrics, also with /metrics off", () => {
    for (const component of COMPONENTS) {
      const { env } = started(OPEN_TELEMETRY, component, { metrics: { enabled: false } });
      expect(env.OTEL_METRICS_EXPORTER).toBeUndefined();
      expect(env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe("grpc");
      expect(telemetrySettings(component, env)).toMatchObject({
        traces: true,
        pushMetrics: true,
        metricsPort: 0,
      });
    }
  });

  it("set the sampler's ratio as given, 0 included, and neither when the sampler is empty", () => {
    const sampler = (values: Values) => {
      const { env } = started({ ...OPEN_TELEMETRY, ...values }, "gateway");
      return [env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG];
    };
    expect(sampler({})).toEqual(["parentbased_traceidratio", "0.25"]);
    expect(sampler({ tracesSamplerArg: 0 })).toEqual(["parentbased_traceidratio", "0"]);
    expect(sampler({ tracesSamplerArg: 1 })).toEqual(["parentbased_traceidratio", "1"]);
    expect(sampler({ tracesSampler: "always_on", tracesSamplerArg: "" })).toEqual([
      "always_on",
      undefined,
    ]);
    expect(sampler({ tracesSampler: "" })).toEqual([undefined, undefined]);
  });

  it("keep a resource attribute's `$` from being read as a reference", () => {
    const { env } = started(
      { ...OPEN_TELEMETRY, resourceAttributes: { note: "$(POD_NAME) and $$" } },
      "records",
    );
    expect(resourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES).note).toBe("$(POD_NAME) and $$");
  });

  it("leave other OTEL_* variables of <component>.env to the SDK, beside the chart's", () => {
    const extra = { OTEL_BSP_SCHEDULE_DELAY: "1000", OTEL_SERVICE_NAME: "tidings-edge" };
    const { env } = started(OPEN_TELEMETRY, "gateway", { gateway: { env: extra } });
    expect(env).toMatchObject(extra);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(OPEN_TELEMETRY.endpoint);
    expect(telemetrySettings("gateway", env).serviceName).toBe("tidings-edge");
    expect(SERVICE_CONFIG.gateway.load(env).unknownVariables).toEqual([]);
  });

  it("add no object: only the pods' environment changes", () => {
    const kinds = (values: Values) =>
      renderChart(chart, { ...CONNECTED, opentelemetry: values }).manifests.map(
        (m) => `${m.kind}/${m.metadata.name}`,
      );
    expect(kinds(OPEN_TELEMETRY)).toEqual(kinds({}));
  });
});
