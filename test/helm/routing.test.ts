import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadChart, ROOT, renderChart, type Values } from "./chart.ts";
import { COMPONENTS, CONNECTED, EVERYTHING, PARENT } from "./fixtures.ts";
import { type HTTPRoute, routeHttpRoute } from "./gateway-api.ts";
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

type Manifests = ReturnType<typeof renderChart>["manifests"];

/** How a request finds its Service: through the Ingress, or a Gateway's HTTPRoute. */
const ROUTERS = {
  Ingress: (manifests: Manifests, path: string) => {
    const backend = routeIngress(manifests, HOST, path);
    return (
      backend && {
        name: backend.name,
        port: (p: Service["spec"]["ports"][number]) => p.name === backend.port.name,
      }
    );
  },
  HTTPRoute: (manifests: Manifests, path: string) => {
    const backend = routeHttpRoute(manifests, HOST, path);
    return (
      backend && {
        name: backend.name,
        port: (p: Service["spec"]["ports"][number]) => p.port === backend.port,
      }
    );
  },
};
type Router = keyof typeof ROUTERS;

/** The component whose pods receive a request for `path` through `router`. */
function componentServing(manifests: Manifests, path: string, router: Router = "Ingress") {
  const backend = ROUTERS[router](manifests, path);
  if (!backend) return undefined;
  const service = ofKind<Service>(manifests, "Service").find(
    (s) => s.metadata.name === backend.name,
  );
  if (!service) throw new Error(`${path}: no Service ${backend.name}`);
  const port = service.spec.ports.find(backend.port);
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

describe.each(Object.keys(ROUTERS) as Router[])("through the %s", (router) => {
  const { manifests } = renderChart(chart, EVERYTHING);

  it("sends every path the gateway serves to the gateways", () => {
    const paths = routeLiterals("gateway");
    // The Socket.IO path, the compatibility protocols, and the Pusher channel authorization.
    expect(paths).toEqual(expect.arrayContaining(["/socket.io", "/api/realtime", "/realtime"]));
    expect(paths).toEqual(expect.arrayContaining(["/app/sample", "/broadcasting/auth"]));
    for (const path of [...paths, "/socket.io/", "/api/realtime/content"])
      expect(componentServing(manifests, path, router), path).toBe("gateway");
  });

  it("sends the REST API to the records service and keeps internal and health paths inside", () => {
    const paths = routeLiterals("records");
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths) {
      const expected = path.startsWith("/api/") || path === "/api" ? "records" : undefined;
      expect(componentServing(manifests, path, router), path).toBe(expected);
    }
    expect(paths).toContain("/internal/v1/publish");
    expect(componentServing(manifests, "/api/realtimeish", router)).toBe("records");
  });
});

describe("ingress", () => {
  const { manifests } = renderChart(chart, EVERYTHING);

  it("is off unless enabled", () => {
    expect(ofKind(renderChart(chart, CONNECTED).manifests, "Ingress")).toEqual([]);
  });

  it("is one Ingress for both Services (GCE gives each Ingress an address of its own)", () => {
    const [ingress, ...others] = ofKind<Ingress>(manifests, "Ingress");
    expect(others).toEqual([]);
    const backends = ingress?.spec.rules.flatMap((r) =>
      r.http.paths.map((p) => p.backend.service.name),
    );
    expect(new Set(backends).size).toBe(2);
    expect(ingress?.spec.rules.map((r) => r.host)).toEqual([HOST]);
  });

  it("asks ingress-nginx for sticky sessions and long timeouts, and lets annotations win", () => {
    const annotations = (values: Values) =>
      ofKind<Ingress>(renderChart(chart, values).manifests, "Ingress")[0]?.metadata.annotations ??
      {};
    expect(annotations(EVERYTHING)["nginx.ingress.kubernetes.io/affinity"]).toBe("cookie");
    expect(annotations(EVERYTHING)["nginx.ingress.kubernetes.io/proxy-read-timeout"]).toBe("3600");
    const mine = annotations({
      ...CONNECTED,
      ingress: {
        enabled: true,
        annotations: { "nginx.ingress.kubernetes.io/proxy-read-timeout": "600" },
      },
    });
    expect(mine["nginx.ingress.kubernetes.io/proxy-read-timeout"]).toBe("600");
    expect(mine["nginx.ingress.kubernetes.io/affinity"]).toBe("cookie");
    const none = annotations({
      ...CONNECTED,
      ingress: { enabled: true, gatewayAnnotations: null },
    });
    expect(none).toEqual({});
  });
});

describe("Gateway API", () => {
  const route = (values: Values) =>
    ofKind<HTTPRoute>(renderChart(chart, values).manifests, "HTTPRoute");

  it("is off unless enabled, and then needs the Gateway to attach to", () => {
    expect(route(CONNECTED)).toEqual([]);
    expect(() => route({ ...CONNECTED, gateway: { api: { enabled: true } } })).toThrow(
      "gateway.api.parentRefs: name the Gateway(s) the HTTPRoute attaches to",
    );
  });

  it("attaches one HTTPRoute to the Gateways and host names of the values", () => {
    const values = {
      ...CONNECTED,
      gateway: { api: { enabled: true, parentRefs: [PARENT], hostnames: [HOST, "*.example.org"] } },
    };
    const [httpRoute, ...others] = route(values);
    expect(others).toEqual([]);
    expect(httpRoute?.spec.parentRefs).toEqual([PARENT]);
    expect(httpRoute?.spec.hostnames).toEqual([HOST, "*.example.org"]);
    const { manifests } = renderChart(chart, values);
    expect(componentServing(manifests, "/socket.io/", "HTTPRoute")).toBe("gateway");
    expect(routeHttpRoute(manifests, "other.example.com", "/api/collections")).toBeUndefined();
    expect(routeHttpRoute(manifests, "a.example.org", "/api/collections")).toBeDefined();
  });

  it("routes the same paths as the Ingress, to the same Services", () => {
    const { manifests } = renderChart(chart, EVERYTHING);
    const paths = [...routeLiterals("gateway"), ...routeLiterals("records"), "/", "/apix"];
    for (const path of paths)
      expect(componentServing(manifests, path, "HTTPRoute"), path).toBe(
        componentServing(manifests, path, "Ingress"),
      );
  });
});
