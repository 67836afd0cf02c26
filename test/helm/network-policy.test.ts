import { describe, expect, it } from "vitest";
import { loadChart, renderChart, type Values } from "./chart.ts";
import {
  COMPONENTS,
  CONNECTED,
  type Component,
  EVERYTHING,
  namespace,
  PUBLISHER,
} from "./fixtures.ts";
import { type Deployment, forComponent, hookOf, ofKind, podSpecOf } from "./kube.ts";
import {
  canConnect,
  type Endpoint,
  type NetworkPolicy,
  podOf,
  RELEASE_NAMESPACE,
  selectorMatches,
} from "./network-policy.ts";

const chart = loadChart();

function render(values: Values) {
  const { manifests } = renderChart(chart, values);
  const pod = (component: Component) =>
    podOf(forComponent<Deployment>(manifests, "Deployment", component));
  return { manifests, pod };
}

/** A pod of another namespace, or of the release's with these labels. */
const podIn = (name: string, labels: Record<string, string> = {}): Endpoint => ({
  namespace: name,
  labels,
});
const PORTS = { http: 8090, grpc: 8091, evaluator: 8092, metrics: 9464 };
const INGRESS_CONTROLLER = podIn("ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" });
const PROMETHEUS = podIn("monitoring", { "app.kubernetes.io/name": "prometheus" });
const STRANGER = podIn("sandbox", { app: "curious" });
const KUBE_DNS = podIn("kube-system", { "k8s-app": "kube-dns" });

describe("network policies", () => {
  it("are off by default", () => {
    expect(ofKind(renderChart(chart, CONNECTED).manifests, "NetworkPolicy")).toEqual([]);
  });

  const { manifests, pod } = render(EVERYTHING);
  const policies = ofKind<NetworkPolicy>(manifests, "NetworkPolicy");
  const test = podIn(
    RELEASE_NAMESPACE,
    manifests.find((m) => hookOf(m)?.events.includes("test") && m.kind === "Pod")?.metadata.labels,
  );

  it("select each component's pods, one policy each, for traffic both ways; the hooks' pods none", () => {
    for (const component of COMPONENTS) {
      const selecting = policies.filter((p) =>
        selectorMatches(p.spec.podSelector, pod(component).labels ?? {}),
      );
      expect(
        selecting.map((p) => p.spec.policyTypes),
        component,
      ).toEqual([["Ingress", "Egress"]]);
    }
    for (const hook of manifests.filter(
      (m) => hookOf(m) && (m.kind === "Job" || m.kind === "Pod"),
    )) {
      const labels =
        hook.kind === "Job"
          ? (hook as unknown as Deployment).spec.template.metadata.labels
          : (hook.metadata.labels ?? {});
      expect(
        policies.filter((p) => selectorMatches(p.spec.podSelector, labels)),
        hook.metadata.name,
      ).toEqual([]);
      expect(podSpecOf(hook).containers.length).toBe(1);
    }
  });

  it("name only ports the selected containers have", () => {
    for (const policy of policies) {
      const component = policy.metadata.labels?.["app.kubernetes.io/component"] as Component;
      const names = pod(component).ports?.map((p) => p.name) ?? [];
      for (const rule of policy.spec.ingress ?? [])
        for (const port of rule.ports ?? [])
          if (typeof port.port === "string")
            expect(names, policy.metadata.name).toContain(port.port);
    }
  });

  it("keep the internal publish API over gRPC to the peers internalPublish.from allows", () => {
    const publisher = podIn(RELEASE_NAMESPACE, PUBLISHER);
    const billing = podIn("billing", { app: "invoices" });
    for (const allowed of [publisher, billing])
      expect(canConnect(manifests, allowed, pod("records"), PORTS.grpc)).toBe(true);
    for (const refused of [
      STRANGER,
      INGRESS_CONTROLLER,
      test,
      pod("gateway"),
      podIn(RELEASE_NAMESPACE),
    ])
      expect(canConnect(manifests, refused, pod("records"), PORTS.grpc)).toBe(false);
    // Over HTTP it shares the REST API's port: the publishers get in, and so does the REST API's public.
    expect(canConnect(manifests, billing, pod("records"), PORTS.http)).toBe(true);
    expect(canConnect(manifests, STRANGER, pod("records"), PORTS.http)).toBe(false);
    // Empty: no one.
    const closed = render({ ...CONNECTED, networkPolicy: { enabled: true } });
    expect(canConnect(closed.manifests, billing, closed.pod("records"), PORTS.grpc)).toBe(false);
  });

  it("let the public in to the REST API and the gateways only, from public.from or anywhere", () => {
    for (const component of ["records", "gateway"] as const) {
      expect(canConnect(manifests, INGRESS_CONTROLLER, pod(component), PORTS.http), component).toBe(
        true,
      );
      expect(canConnect(manifests, test, pod(component), PORTS.http), component).toBe(true);
      expect(canConnect(manifests, STRANGER, pod(component), PORTS.http), component).toBe(false);
    }
    expect(canConnect(manifests, INGRESS_CONTROLLER, pod("evaluator"), PORTS.evaluator)).toBe(
      false,
    );
    const open = render({ ...CONNECTED, networkPolicy: { enabled: true } });
    expect(canConnect(open.manifests, STRANGER, open.pod("gateway"), PORTS.http)).toBe(true);
    expect(canConnect(open.manifests, { ip: "203.0.113.9" }, open.pod("records"), PORTS.http)).toBe(
      true,
    );
    expect(canConnect(open.manifests, STRANGER, open.pod("evaluator"), PORTS.evaluator)).toBe(
      false,
    );
  });

  it("let metrics.from scrape every component", () => {
    for (const component of COMPONENTS) {
      expect(canConnect(manifests, PROMETHEUS, pod(component), PORTS.metrics), component).toBe(
        true,
      );
      expect(
        canConnect(manifests, INGRESS_CONTROLLER, pod(component), PORTS.metrics),
        component,
      ).toBe(false);
    }
    const off = render({
      ...CONNECTED,
      networkPolicy: { enabled: true },
      metrics: { enabled: false },
    });
    const evaluatorPolicy = ofKind<NetworkPolicy>(off.manifests, "NetworkPolicy").find((p) =>
      p.metadata.name.endsWith("-evaluator"),
    );
    expect(evaluatorPolicy?.spec.ingress).toBeUndefined();
  });

  it("let the pods reach DNS, PostgreSQL, NATS, and Redis from the evaluators and gateways", () => {
    const anywhere = { ip: "198.51.100.7" };
    for (const component of COMPONENTS) {
      const from = pod(component);
      expect(canConnect(manifests, from, KUBE_DNS, 53, "UDP"), component).toBe(true);
      expect(canConnect(manifests, from, KUBE_DNS, 53, "TCP"), component).toBe(true);
      expect(
        canConnect(manifests, from, podIn("default", { "k8s-app": "kube-dns" }), 53, "UDP"),
      ).toBe(false);
      expect(canConnect(manifests, from, anywhere, 5432), component).toBe(true);
      expect(canConnect(manifests, from, anywhere, 4222), component).toBe(true);
      expect(canConnect(manifests, from, anywhere, 6379), component).toBe(component !== "records");
      expect(canConnect(manifests, from, anywhere, 22), component).toBe(false);
      // Nothing of the release talks to another of its pods directly.
      for (const other of COMPONENTS)
        expect(canConnect(manifests, from, pod(other), PORTS.http), `${component} → ${other}`).toBe(
          false,
        );
      // opentelemetry.endpoint (4317) and auth.jwksUrl (https: 443, not for the evaluators).
      expect(canConnect(manifests, from, anywhere, 4317), component).toBe(true);
      expect(canConnect(manifests, from, anywhere, 443), component).toBe(component !== "evaluator");
    }
  });

  it("keep egress to the peers and ports given, and refuse values whose URLs they leave out", () => {
    const values = {
      ...CONNECTED,
      postgresql: { url: "postgres://tidings:pw@pgbouncer.data:6432/tidings" },
      networkPolicy: {
        enabled: true,
        egress: {
          postgresql: { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [6432] },
          nats: { to: [namespace("nats")] },
          redis: { to: [{ podSelector: { matchLabels: { app: "redis" } } }] },
        },
      },
    };
    const { manifests: narrow, pod: narrowPod } = render(values);
    const gateway = narrowPod("gateway");
    expect(canConnect(narrow, gateway, { ip: "10.20.3.4" }, 6432)).toBe(true);
    expect(canConnect(narrow, gateway, { ip: "10.30.3.4" }, 6432)).toBe(false);
    expect(canConnect(narrow, gateway, { ip: "10.20.3.4" }, 5432)).toBe(false);
    expect(canConnect(narrow, gateway, podIn("nats", { app: "nats" }), 4222)).toBe(true);
    expect(canConnect(narrow, gateway, { ip: "10.20.3.4" }, 4222)).toBe(false);
    expect(canConnect(narrow, gateway, podIn(RELEASE_NAMESPACE, { app: "redis" }), 6379)).toBe(
      true,
    );
    expect(canConnect(narrow, gateway, podIn("cache", { app: "redis" }), 6379)).toBe(false);
    expect(() =>
      render({ ...values, postgresql: { url: "postgres://tidings:pw@postgres.data/tidings" } }),
    ).toThrow(
      "networkPolicy.egress.postgresql.ports must hold 5432, the port of postgres://postgres.data/tidings",
    );
    expect(() =>
      render({
        ...CONNECTED,
        networkPolicy: { enabled: true },
        redis: { url: "redis://r:6379", cluster: { enabled: true, nodes: ["r2:7001"] } },
      }),
    ).toThrow("networkPolicy.egress.redis.ports must hold 7001");
  });

  it("add the rules of extraIngress and extraEgress to every component", () => {
    const extra = render({
      ...CONNECTED,
      networkPolicy: {
        enabled: true,
        extraIngress: [{ from: [namespace("debug")], ports: [{ port: 9229 }] }],
        extraEgress: [{ to: [{ ipBlock: { cidr: "192.0.2.0/24" } }], ports: [{ port: 443 }] }],
      },
    });
    for (const component of COMPONENTS) {
      expect(canConnect(extra.manifests, podIn("debug"), extra.pod(component), 9229)).toBe(true);
      expect(canConnect(extra.manifests, extra.pod(component), { ip: "192.0.2.10" }, 443)).toBe(
        true,
      );
    }
  });
});
