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
  gateway: { autoscaling: { enabled: true } },
  metrics: MONITORING,
  opentelemetry: OPEN_TELEMETRY,
};
