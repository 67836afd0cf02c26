import type { Manifest } from "./chart.ts";
import { type Deployment, type Labels, ofKind, onlyContainer } from "./kube.ts";

/**
 * networking.k8s.io/v1 NetworkPolicy semantics, as a network plugin enforces them: a pod that no
 * policy selects for a direction is open in that direction; a selected one takes only what some
 * rule of a selecting policy allows (rules add up). Enough of it to ask the chart's policies who
 * reaches what.
 */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  port?: number | string;
  protocol?: string;
}

interface Rule {
  ports?: PolicyPort[];
  from?: Peer[];
  to?: Peer[];
}

export interface NetworkPolicy extends Manifest {
  spec: {
    podSelector: LabelSelector;
    policyTypes?: ("Ingress" | "Egress")[];
    ingress?: Rule[];
    egress?: Rule[];
  };
}

/** A pod as policies see it; an address outside the cluster has `ip` only. */
export interface Endpoint {
  namespace?: string;
  /** Its namespace's labels besides kubernetes.io/metadata.name, which every namespace has. */
  namespaceLabels?: Labels;
  labels?: Labels;
  ip?: string;
  /** The pod's named container ports, which policies may name. */
  ports?: { name: string; containerPort: number }[];
}

/** Where the chart renders to: `renderChart` uses this namespace. */
export const RELEASE_NAMESPACE = "tidings";

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  const plain = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    plain &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      if (operator === "In") return values.includes(labels[key] as string);
      if (operator === "NotIn") return !values.includes(labels[key] as string);
      if (operator === "Exists") return key in labels;
      if (operator === "DoesNotExist") return !(key in labels);
      throw new Error(`matchExpressions operator ${operator}`);
    })
  );
}

// Namespaces carry their name as kubernetes.io/metadata.name (Kubernetes 1.21+).
const namespaceLabels = (endpoint: Endpoint): Labels => ({
  ...endpoint.namespaceLabels,
  "kubernetes.io/metadata.name": endpoint.namespace ?? "",
});

function ipInCidr(ip: string, cidr: string): boolean {
  const toNumber = (address: string) =>
    address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const [base = "", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}

function peerMatches(peer: Peer, other: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) {
    const { cidr, except = [] } = peer.ipBlock;
    return (
      other.ip !== undefined &&
      ipInCidr(other.ip, cidr) &&
      !except.some((e) => ipInCidr(other.ip as string, e))
    );
  }
  if (other.namespace === undefined) return false;
  const inNamespace = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, namespaceLabels(other))
    : other.namespace === policyNamespace;
  return (
    inNamespace && (!peer.podSelector || selectorMatches(peer.podSelector, other.labels ?? {}))
  );
}

function portMatches(
  rulePorts: PolicyPort[] | undefined,
  port: number,
  protocol: string,
  pod: Endpoint,
) {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "number") return p.port === port;
    return (
      pod.ports?.some((named) => named.name === p.port && named.containerPort === port) ?? false
    );
  });
}

function allowed(
  manifests: Manifest[],
  direction: "Ingress" | "Egress",
  subject: Endpoint,
  other: Endpoint,
  port: number,
  protocol: string,
): boolean {
  const selecting = ofKind<NetworkPolicy>(manifests, "NetworkPolicy").filter(
    (policy) =>
      (policy.metadata.namespace ?? RELEASE_NAMESPACE) === subject.namespace &&
      selectorMatches(policy.spec.podSelector, subject.labels ?? {}) &&
      (policy.spec.policyTypes ?? ["Ingress"]).includes(direction),
  );
  if (selecting.length === 0) return true;
  // A named port in an egress rule is the destination's; in an ingress rule, the subject's.
  const named = direction === "Ingress" ? subject : other;
  return selecting.some((policy) =>
    (direction === "Ingress" ? policy.spec.ingress : policy.spec.egress)?.some((rule) => {
      const peers = direction === "Ingress" ? rule.from : rule.to;
      const namespace = policy.metadata.namespace ?? RELEASE_NAMESPACE;
      return (
        portMatches(rule.ports, port, protocol, named) &&
        (!peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, other, namespace)))
      );
    }),
  );
}

/** Whether `from` may open a connection to `to`'s `port`: `from`'s egress and `to`'s ingress. */
export function canConnect(
  manifests: Manifest[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol = "TCP",
): boolean {
  return (
    (from.ip !== undefined || allowed(manifests, "Egress", from, to, port, protocol)) &&
    (to.ip !== undefined || allowed(manifests, "Ingress", to, from, port, protocol))
  );
}

/** A component's pods as an Endpoint: their labels and named ports, in the release's namespace. */
export function podOf(deployment: Deployment): Endpoint {
  return {
    namespace: RELEASE_NAMESPACE,
    labels: deployment.spec.template.metadata.labels,
    ports: onlyContainer(deployment).ports ?? [],
  };
}
