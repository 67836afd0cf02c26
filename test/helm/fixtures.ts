import { readFileSync } from "node:fs";
import { ROOT, type Values } from "./chart.ts";

/** The three deployables the chart runs, by their component label. */
export const COMPONENTS = ["records", "evaluator", "gateway"] as const;
export type Component = (typeof COMPONENTS)[number];

/** How a service is started outside Kubernetes: its workspace's `npm start` script. */
export function startScript(component: Component): string {
  const manifest = JSON.parse(
    readFileSync(new URL(`services/${component}/package.json`, ROOT), "utf8"),
  ) as { scripts: { start: string } };
  return manifest.scripts.start;
}

/** The compiled entry point the image runs for a component (`npm run build` makes it). */
export function builtEntryPoint(component: Component): string {
  return `services/${component}/dist/main.js`;
}

/** Values connecting the chart to PostgreSQL, NATS and Redis, as every install needs. */
export const CONNECTED: Values = {
  postgresql: { url: "postgres://tidings:pw@postgres.data:5432/tidings" },
  nats: { url: "nats://nats.data:4222" },
  redis: { url: "redis://redis.data:6379" },
  auth: { jwtSecret: "a-jwt-secret-of-at-least-32-characters" },
};

/** The Prometheus operator's objects and the Grafana dashboard, which are off by default. */
export const MONITORING: Values = {
  serviceMonitor: { enabled: true },
  grafanaDashboard: { enabled: true },
  prometheusRule: { enabled: true },
};

/**
 * OTLP export to a collector, with every opentelemetry.* setting but the headers Secret, which is
 * not the chart's (opentelemetry.test.ts gives one).
 */
export const OPEN_TELEMETRY: Values = {
  endpoint: "http://otel-collector.observability:4317",
  protocol: "grpc",
  tracesSampler: "parentbased_traceidratio",
  tracesSamplerArg: "0.25",
  pushMetrics: true,
  resourceAttributes: { "deployment.environment.name": "production" },
};

/** A NetworkPolicyPeer: every pod of the namespace called `name`. */
export function namespace(name: string): Values {
  return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } };
}

/** Labels of the pods allowed to publish into the records, in fixtures' policies. */
export const PUBLISHER = { "app.kubernetes.io/name": "billing-publisher" };

/** The Gateway the HTTPRoutes of the fixtures attach to. */
export const PARENT = { name: "public", namespace: "gateway-system", sectionName: "https" };

/** Every optional setting on as well. */
export const EVERYTHING: Values = {
  ...CONNECTED,
  auth: {
    jwtSecret: "a-jwt-secret-of-at-least-32-characters",
    serviceTokens: "service-token-of-at-least-32-characters-1",
    superuserEmail: "admin@example.com",
    superuserPassword: "change me please",
    jwksUrl: "https://idp.example.com/.well-known/jwks.json",
    issuer: "https://idp.example.com/",
    audience: "tidings",
  },
  pusher: { apps: "app-key:app-secret-0123456789" },
  trustProxy: true,
  corsOrigins: "https://app.example.com,http://localhost:5173",
  ingress: { enabled: true, className: "nginx" },
  evaluator: { autoscaling: { enabled: true } },
  metrics: MONITORING,
  opentelemetry: OPEN_TELEMETRY,
  networkPolicy: {
    enabled: true,
    public: { from: [namespace("ingress-nginx")] },
    internalPublish: { from: [namespace("billing"), { podSelector: { matchLabels: PUBLISHER } }] },
    metrics: { from: [namespace("monitoring")] },
  },
  gateway: { autoscaling: { enabled: true }, api: { enabled: true, parentRefs: [PARENT] } },
};

/**
 * The "Redis Cluster + NATS TLS + pooled database": PostgreSQL behind PgBouncer with a
 * direct URL, a three-node NATS with TLS (CA from a ConfigMap, client certificate) and a .creds
 * file, streams on three replicas, a Redis Cluster over TLS with a password, and the migrations
 * with the schema owner's URL.
 */
export const CLUSTERED: Values = {
  postgresql: {
    url: "postgres://tidings_app:pw@pgbouncer.data:6432/tidings",
    directUrl: "postgres://tidings_app:pw@postgres.data:5432/tidings",
  },
  migrations: { databaseUrl: "postgres://tidings_owner:owner-pw@postgres.data:5432/tidings" },
  nats: {
    url: "tls://nats.data:4222",
    replicas: 3,
    credentials: { secretName: "tidings-nats-creds" },
    tls: {
      ca: { configMapName: "nats-ca" },
      clientCertificate: { secretName: "tidings-nats-client" },
    },
  },
  redis: {
    url: "rediss://redis-cluster.data:6379",
    password: "redis-password-1234",
    cluster: { enabled: true, nodes: ["redis-cluster-1.data:6379", "redis-cluster-2.data:6379"] },
    tls: { ca: { secretName: "redis-ca" }, serverName: "redis-cluster.data" },
  },
  auth: { jwtSecret: "a-jwt-secret-of-at-least-32-characters" },
};

/** The other NATS and Redis credentials: an nkey seed, an ACL user, a client certificate. */
export const NKEY_AND_CLIENT_CERTIFICATES: Values = {
  ...CONNECTED,
  nats: { url: "nats://nats.data:4222", nkey: { secretName: "tidings-nats-nkey" } },
  redis: {
    url: "rediss://redis.data:6380",
    username: "tidings",
    password: "redis-password-1234",
    tls: {
      ca: { secretName: "redis-tls", key: "ca.crt" },
      clientCertificate: { secretName: "redis-tls" },
    },
  },
};

/** OpenShift's restricted SCCs assign the user and group: the pods must not name them. */
export const OPENSHIFT: Values = {
  ...CONNECTED,
  podSecurityContext: { runAsUser: null, runAsGroup: null },
  serviceAccount: { create: false },
};

/**
 * The value sets every rendered object is checked against the Kubernetes schemas for
 * (kubernetes-schemas.test.ts), and compared with a real `helm template` where one is installed.
 */
export const SCENARIOS: Record<string, Values> = {
  "the required values": CONNECTED,
  "every option": EVERYTHING,
  "an existing Secret": { existingSecret: "tidings-credentials" },
  "metrics off": { ...CONNECTED, metrics: { enabled: false } },
  "monitoring objects": { ...CONNECTED, metrics: MONITORING },
  "OpenTelemetry with a headers Secret": {
    ...CONNECTED,
    opentelemetry: { ...OPEN_TELEMETRY, headers: { existingSecret: "otel-auth" } },
  },
  "Redis Cluster, NATS TLS and a pooled database": CLUSTERED,
  "an nkey and client certificates": NKEY_AND_CLIENT_CERTIFICATES,
  "NetworkPolicy on, everything open": { ...CONNECTED, networkPolicy: { enabled: true } },
  "Gateway API instead of Ingress": {
    ...CONNECTED,
    gateway: { api: { enabled: true, parentRefs: [PARENT], hostnames: ["tidings.example.com"] } },
  },
  "OpenShift-style security (no fixed UID)": OPENSHIFT,
  "migrations at start instead of a Job": { ...CONNECTED, migrations: { enabled: false } },
  "migrations from a Secret of the user's": {
    ...CONNECTED,
    migrations: { existingSecret: "tidings-db-owner", existingSecretKey: "uri" },
  },
  "pod settings of the user's": {
    ...CONNECTED,
    defaultSpread: false,
    records: {
      podLabels: { team: "feeds" },
      extraEnv: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=768" }],
      extraEnvFrom: [{ secretRef: { name: "more-settings" } }],
      extraVolumes: [{ name: "certs", secret: { secretName: "extra-ca" } }],
      extraVolumeMounts: [{ name: "certs", mountPath: "/etc/extra-ca", readOnly: true }],
      initContainers: [{ name: "wait", image: "busybox:1.37", command: ["true"] }],
      priorityClassName: "high",
    },
    gateway: {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] } },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule" },
      ],
    },
    serviceAccount: { annotations: { "iam.gke.io/gcp-service-account": "tidings@p.iam" } },
  },
};
