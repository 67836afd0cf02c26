import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadChart, ROOT, renderChart } from "./chart.ts";
import { COMPONENTS, CONNECTED, EVERYTHING } from "./fixtures.ts";
import {
  componentOf,
  type Ingress,
  ofKind,
  onlyContainer,
  routeIngress,
  type Selecting,
  type Service,
  selectedDeployments,
} from "./kube.ts";

const chart = loadChart();
const HOST = "tidings.example.com";

/**
 * Paths a service's routes are written with: its non-test sources' string literals starting with
 * "/" and a letter. `:param` segments and a trailing "/" get a sample value.
 */
function routeLiterals(service: string): string[] {
  const dir = new URL(`services/${service}/src/`, ROOT);
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.includes("testing"),
  );
  const paths = new Set<string>();
  for (const file of files)
    for (const [, literal = ""] of readFileSync(new URL(file, dir), "utf8").matchAll(
      /"(\/[a-z][\w./:-]*)"/g,
    ))
      paths.add(literal.replace(/:\w+/g, "sample").replace(/\/$/, "/sample"));
  return [...paths].sort();
}

/** The component whose pods receive a request for `path` through the Ingresses. */
function componentServing(manifests: ReturnType<typeof renderChart>["manifests"], path: string) {
  const backend = routeIngress(manifests, HOST, path);
  if (!backend) return undefined;
  const service = ofKind<Service>(manifests, "Service").find(
    (s) => s.metadata.name === backend.name,
  );
  if (!service) throw new Error(`${path}: no Service ${backend.name}`);
  const port = service.spec.ports.find((p) => p.name === backend.port.name);
  const [deployment, ...more] = selectedDeployments(manifests, service.spec.selector);
  if (!port || !deployment || more.length > 0)
    throw new Error(`${path}: ${backend.name} is broken`);
  // The Service's target port must be one the selected pods expose.
  expect(onlyContainer(deployment).ports?.map((p) => p.name)).toContain(port.targetPort);
  return componentOf(deployment);
}

describe("services", () => {
  const { manifests } = renderChart(chart, CONNECTED);
  // The Services clients and other services reach; metrics.test.ts checks the metrics Services.
  const apiServices = ofKind<Service>(manifests, "Service").filter((s) =>
    s.spec.ports.some((p) => p.name !== "metrics"),
  );
  const apiService = (component: string) => {
    const [service, ...others] = apiServices.filter((s) => componentOf(s) === component);
    if (!service || others.length > 0) throw new Error(`one API Service for ${component}`);
    return service;
  };

  it("records: HTTP and gRPC, on the ports of the records pods only", () => {
    const service = apiService("records");
    expect(service.spec.ports.map((p) => [p.name, p.targetPort])).toEqual([
      ["http", "http"],
      ["grpc", "grpc"],
    ]);
    const selected = selectedDeployments(manifests, service.spec.selector).map(componentOf);
    expect(selected).toEqual(["records"]);
  });

  it("gateway: the gateway pods only, with client-IP affinity for long-polling", () => {
    const service = apiService("gateway");
    expect(selectedDeployments(manifests, service.spec.selector).map(componentOf)).toEqual([
      "gateway",
    ]);
    expect(service.spec.sessionAffinity).toBe("ClientIP");
  });

  it("no API Service for the evaluators, which no client connects to", () => {
    expect(apiServices.map(componentOf).sort()).toEqual(["gateway", "records"]);
  });

  it("pod disruption budgets each select their component's pods", () => {
    for (const budget of ofKind<Selecting>(manifests, "PodDisruptionBudget")) {
      const selected = selectedDeployments(manifests, budget.spec.selector.matchLabels);
      expect(selected.map(componentOf)).toEqual([componentOf(budget)]);
    }
    expect(ofKind(manifests, "PodDisruptionBudget").map(componentOf).sort()).toEqual(
      [...COMPONENTS].sort(),
    );
  });
});

describe("ingress", () => {
  const { manifests } = renderChart(chart, EVERYTHING);

  it("is off unless enabled", () => {
    expect(ofKind(renderChart(chart, CONNECTED).manifests, "Ingress")).toEqual([]);
  });

  it("sends every path the gateway serves to the gateways", () => {
    const paths = routeLiterals("gateway");
    // The Socket.IO path, the compatibility protocols, and the Pusher channel authorization.
    expect(paths).toEqual(expect.arrayContaining(["/socket.io", "/api/realtime", "/realtime"]));
    expect(paths).toEqual(expect.arrayContaining(["/app/sample", "/broadcasting/auth"]));
    for (const path of [...paths, "/socket.io/", "/api/realtime/content"])
      expect(componentServing(manifests, path), path).toBe("gateway");
  });

  it("sends the REST API to the records service and keeps internal and health paths inside", () => {
    const paths = routeLiterals("records");
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths) {
      const expected = path.startsWith("/api/") || path === "/api" ? "records" : undefined;
      expect(componentServing(manifests, path), path).toBe(expected);
    }
    expect(paths).toContain("/internal/v1/publish");
    expect(componentServing(manifests, "/api/realtimeish")).toBe("records");
  });

  it("asks for sticky sessions on the gateways only", () => {
    const ingresses = ofKind<Ingress>(manifests, "Ingress");
    const annotations = (component: string) =>
      ingresses.find((i) => componentOf(i) === component)?.metadata.annotations ?? {};
    expect(annotations("gateway")["nginx.ingress.kubernetes.io/affinity"]).toBe("cookie");
    expect(annotations("records")["nginx.ingress.kubernetes.io/affinity"]).toBeUndefined();
  });
});
