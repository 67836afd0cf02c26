import type { Manifest } from "./chart.ts";

/** The parts of Kubernetes objects the tests read. */
export type Labels = Record<string, string>;

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsUser?: number;
  };
  resources?: object;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

/** Where a volume's files come from: a key of a Secret or ConfigMap each. */
export interface KeyedSource {
  items?: { key: string; path: string }[];
}

export interface Volume {
  name: string;
  emptyDir?: object;
  secret?: KeyedSource & { secretName: string };
  configMap?: KeyedSource & { name: string };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    fsGroup?: number;
    seccompProfile?: { type: string };
  };
  priorityClassName?: string;
  affinity?: {
    podAntiAffinity?: {
      preferredDuringSchedulingIgnoredDuringExecution?: {
        weight: number;
        podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Labels } };
      }[];
      requiredDuringSchedulingIgnoredDuringExecution?: unknown[];
    };
  };
  topologySpreadConstraints?: {
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector?: { matchLabels?: Labels };
  }[];
  volumes?: Volume[];
}

export interface PodTemplate {
  metadata: { labels: Labels; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface Deployment extends Manifest {
  spec: {
    replicas?: number;
    selector: { matchLabels: Labels };
    template: PodTemplate;
  };
}

export interface Job extends Manifest {
  spec: { backoffLimit?: number; activeDeadlineSeconds?: number; template: PodTemplate };
}

export interface Pod extends Manifest {
  spec: PodSpec;
}

/** The pod spec of a Deployment, Job or Pod. */
export function podSpecOf(manifest: Manifest): PodSpec {
  const spec = (manifest as Partial<Deployment | Pod>).spec;
  if (spec && "template" in spec) return spec.template.spec;
  if (spec && "containers" in spec) return spec;
  throw new Error(`${manifest.kind} ${manifest.metadata.name}: no pod spec`);
}

/** A Helm hook's annotations: its events, weight and delete policies; undefined: not a hook. */
export function hookOf(manifest: Manifest) {
  const annotations = manifest.metadata.annotations ?? {};
  const events = annotations["helm.sh/hook"];
  if (!events) return undefined;
  const list = (text: string | undefined) => (text ? text.split(",").map((e) => e.trim()) : []);
  return {
    events: list(events),
    weight: Number(annotations["helm.sh/hook-weight"] ?? 0),
    deletePolicies: list(annotations["helm.sh/hook-delete-policy"]),
  };
}

/**
 * The file a container sees at `path`: the volume mounted over it and the Secret or ConfigMap key
 * it holds; undefined when no Secret or ConfigMap volume puts a file there.
 */
export function mountedFile(pod: PodSpec, container: Container, path: string) {
  for (const mount of container.volumeMounts ?? []) {
    const prefix = `${mount.mountPath.replace(/\/$/, "")}/`;
    if (!path.startsWith(prefix)) continue;
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    const source = volume?.secret ?? volume?.configMap;
    const item = source?.items?.find((i) => i.path === path.slice(prefix.length));
    if (!volume || !source || !item) continue;
    const from = volume.secret
      ? { kind: "Secret", name: volume.secret.secretName }
      : { kind: "ConfigMap", name: volume.configMap?.name ?? "" };
    return { ...from, key: item.key, readOnly: mount.readOnly === true };
  }
  return undefined;
}

export interface ConfigMap extends Manifest {
  data?: Record<string, string>;
}

export interface Secret extends Manifest {
  stringData?: Record<string, string>;
}

export interface Service extends Manifest {
  spec: {
    type?: string;
    clusterIP?: string;
    selector: Labels;
    ports: { name: string; port: number; targetPort: string | number }[];
    sessionAffinity?: string;
  };
}

/** monitoring.coreos.com/v1 objects of the Prometheus operator (monitoring-crds.ts checks them). */
export interface ServiceMonitor extends Manifest {
  spec: {
    selector: { matchLabels: Labels };
    namespaceSelector?: { matchNames?: string[] };
    endpoints: { port: string; path?: string; interval?: string; scrapeTimeout?: string }[];
  };
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
}

export interface PrometheusRule extends Manifest {
  spec: { groups: { name: string; rules: AlertRule[] }[] };
}

export interface IngressPath {
  path: string;
  pathType: "Exact" | "Prefix" | "ImplementationSpecific";
  backend: { service: { name: string; port: { name?: string; number?: number } } };
}

export interface Ingress extends Manifest {
  spec: { rules: { host?: string; http: { paths: IngressPath[] } }[] };
}

export interface Selecting extends Manifest {
  spec: { selector: { matchLabels: Labels } };
}

export interface Autoscaler extends Manifest {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
  };
}

export function ofKind<T extends Manifest>(manifests: Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind) as T[];
}

export function componentOf(manifest: Manifest): string | undefined {
  return manifest.metadata.labels?.["app.kubernetes.io/component"];
}

/** The one object of `kind` labelled as `component`'s. */
export function forComponent<T extends Manifest>(
  manifests: Manifest[],
  kind: string,
  component: string,
): T {
  const found = ofKind<T>(manifests, kind).filter((m) => componentOf(m) === component);
  if (found.length !== 1) throw new Error(`${found.length} ${kind} objects for ${component}`);
  return found[0] as T;
}

export function selects(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The Deployments whose pods a label selector picks. */
export function selectedDeployments(manifests: Manifest[], selector: Labels): Deployment[] {
  return ofKind<Deployment>(manifests, "Deployment").filter((d) =>
    selects(selector, d.spec.template.metadata.labels),
  );
}

export function onlyContainer(deployment: Deployment): Container {
  const [container, ...others] = deployment.spec.template.spec.containers;
  if (!container || others.length > 0)
    throw new Error(`${deployment.metadata.name}: one container`);
  return container;
}

/** The pod the downward API describes in containerEnv, unless a test gives another. */
export const POD = { name: "demo-tidings-pod-5d8f9c7b6-x2x7q", namespace: "tidings" };

/**
 * The kubelet's expansion of an entry's `value`: `$(NAME)` of a variable defined before it (its
 * ConfigMaps' and the entries above), `$$` for a `$`; anything else stays as written.
 */
export function expandValue(value: string, defined: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && Object.hasOwn(defined, name) ? (defined[name] as string) : match;
  });
}

/**
 * The environment a container starts with, as the kubelet builds it: its ConfigMaps, then its own
 * entries in order, with secret keys looked up in `secrets` (name → data), the downward API's pod
 * name and namespace from `pod`, and values expanded (expandValue). A missing ConfigMap, or a
 * missing key that is not optional, would keep the pod from starting, and throws here.
 */
export function containerEnv(
  manifests: Manifest[],
  container: Container,
  secrets: Record<string, Record<string, string>>,
  pod = POD,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) {
      const data = secrets[source.secretRef.name];
      if (!data) throw new Error(`${container.name}: no Secret ${source.secretRef.name}`);
      Object.assign(env, data);
      continue;
    }
    const name = source.configMapRef?.name;
    const map = ofKind<ConfigMap>(manifests, "ConfigMap").find((m) => m.metadata.name === name);
    if (!map) throw new Error(`${container.name}: no ConfigMap ${name}`);
    Object.assign(env, map.data);
  }
  const fields: Record<string, string> = {
    "metadata.name": pod.name,
    "metadata.namespace": pod.namespace,
  };
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    const field = entry.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined) {
      if (!Object.hasOwn(fields, field)) throw new Error(`${container.name}: fieldRef ${field}`);
      env[entry.name] = fields[field] as string;
    } else if (!ref) env[entry.name] = expandValue(entry.value ?? "", env);
    else if (secrets[ref.name]?.[ref.key] !== undefined)
      env[entry.name] = secrets[ref.name]?.[ref.key] as string;
    else if (!ref.optional) throw new Error(`${container.name}: no key ${ref.key} in ${ref.name}`);
  }
  return env;
}

/** Secrets' data by name, as rendered (stringData). */
export function renderedSecrets(manifests: Manifest[]): Record<string, Record<string, string>> {
  return Object.fromEntries(
    ofKind<Secret>(manifests, "Secret").map((s) => [s.metadata.name, s.stringData ?? {}]),
  );
}

const elements = (path: string) => path.split("/").filter(Boolean);

/** networking.k8s.io/v1 matching: Exact is the whole path, Prefix goes element by element. */
function matches(rule: IngressPath, path: string): boolean {
  if (rule.pathType === "Exact") return rule.path === path;
  if (rule.pathType !== "Prefix") throw new Error(`${rule.path}: pathType ${rule.pathType}`);
  const prefix = elements(rule.path);
  const request = elements(path);
  return prefix.every((element, i) => request[i] === element);
}

/**
 * Where an ingress controller sends a request: the rules of every Ingress for the host are merged,
 * the longest matching path wins, and Exact wins a tie. Undefined: no rule matches (404).
 */
export function routeIngress(manifests: Manifest[], host: string, path: string) {
  const candidates = ofKind<Ingress>(manifests, "Ingress")
    .flatMap((ingress) => ingress.spec.rules)
    .filter((rule) => rule.host === host)
    .flatMap((rule) => rule.http.paths)
    .filter((rule) => matches(rule, path))
    .sort(
      (a, b) =>
        b.path.replace(/\/$/, "").length - a.path.replace(/\/$/, "").length ||
        Number(b.pathType === "Exact") - Number(a.pathType === "Exact"),
    );
  return candidates[0]?.backend.service;
}
