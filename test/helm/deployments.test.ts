import { existsSync, readFileSync } from "node:fs";
import { entryArgs } from "@tidings/local-cluster";
import { createLifecycle, registerHealthRoutes } from "@tidings/service";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { loadChart, ROOT, renderChart, type Values } from "./chart.ts";
import {
  builtEntryPoint,
  CLUSTERED,
  COMPONENTS,
  CONNECTED,
  type Component,
  EVERYTHING,
  SCENARIOS,
  startScript,
} from "./fixtures.ts";
import {
  type Autoscaler,
  type ConfigMap,
  type Container,
  componentOf,
  containerEnv,
  type Deployment,
  forComponent,
  ofKind,
  onlyContainer,
  renderedSecrets,
} from "./kube.ts";
import { startedEnv } from "./pod-env.ts";
import { SERVICE_CONFIG } from "./service-config.ts";

const chart = loadChart();

/** Each component's container and the environment it would start with. */
function started(values: Values, component: Component) {
  const { manifests } = renderChart(chart, values);
  const deployment = forComponent<Deployment>(manifests, "Deployment", component);
  const container = onlyContainer(deployment);
  const env = containerEnv(manifests, container, renderedSecrets(manifests));
  return { manifests, deployment, container, env };
}

function portNamed(container: Container, name: string | number | undefined): number | undefined {
  return container.ports?.find((port) => port.name === name)?.containerPort;
}

describe("deployments", () => {
  it.each(COMPONENTS)("%s runs its service's compiled entry point", (component) => {
    const { container } = started(CONNECTED, component);
    const entry = builtEntryPoint(component);
    // No command: the image's entrypoint (node) runs the file given as argument.
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual([entry]);
    // `npm run build` compiles src/ to dist/, so dist/main.js is what src/main.ts becomes.
    expect(existsSync(new URL(`services/${component}/src/main.ts`, ROOT))).toBe(true);
    const build = JSON.parse(
      readFileSync(new URL(`services/${component}/tsconfig.build.json`, ROOT), "utf8"),
    );
    expect(build.compilerOptions).toMatchObject({ rootDir: "src", outDir: "dist" });
    // `npm run cluster -- --built` runs the same file; `npm start` runs the source through tsx.
    expect(entryArgs(component, true)).toContain(entry);
    expect(startScript(component)).toBe(
      "exec node --conditions=@tidings/source --import tsx src/main.ts",
    );
  });

  it.each(Object.entries(SCENARIOS))(
    "with %s, each service's own config loader accepts its environment",
    (_, values) => {
      const { manifests } = renderChart(chart, values);
      for (const component of COMPONENTS) {
        const { container, env } = startedEnv(manifests, component);
        const config = SERVICE_CONFIG[component].load(env);
        expect(config.unknownVariables, component).toEqual([]);
        expect(config.host, component).toBe("0.0.0.0");
        expect(config.port, component).toBe(portNamed(container, "http"));
        if (component === "records")
          expect(Number(env.TIDINGS_GRPC_PORT)).toBe(portNamed(container, "grpc"));
        // Helm prints big numbers from values.yaml as 1.073741824e+09 unless piped through int64.
        for (const [name, value] of Object.entries(env))
          expect(value, name).not.toMatch(/^[\d.]+e[+-]\d+$/);
      }
    },
  );

  it.each(COMPONENTS)(
    "%s accepts every variable values.schema.json lets env carry",
    (component) => {
      const schema = JSON.parse(
        readFileSync(new URL("helm/tidings/values.schema.json", ROOT), "utf8"),
      );
      const allowed: string[] =
        schema.properties[component].properties.env.propertyNames.anyOf[0].enum;
      const { defaults } = SERVICE_CONFIG[component];
      const extra = Object.fromEntries(allowed.map((name) => [name, String(defaults[name])]));
      const { env } = started({ ...CONNECTED, [component]: { env: extra } }, component);
      expect(env).toMatchObject(extra);
      expect(SERVICE_CONFIG[component].load(env).unknownVariables).toEqual([]);
    },
  );

  const shared = ["TIDINGS_PARTITIONS", "TIDINGS_NATS_PREFIX", "TIDINGS_NATS_REPLICAS"];
  it.each([
    {
      name: "every option",
      values: EVERYTHING,
      all: [...shared, "TIDINGS_DATABASE_URL"],
      redis: ["TIDINGS_REDIS_PREFIX", "TIDINGS_REDIS_CLUSTER"],
      tokens: ["TIDINGS_JWT_SECRET", "TIDINGS_JWT_JWKS_URL", "TIDINGS_CORS_ORIGINS"],
    },
    {
      name: "Redis Cluster, NATS TLS and a pooled database",
      values: CLUSTERED,
      all: [
        ...shared,
        "TIDINGS_DATABASE_URL",
        "TIDINGS_DATABASE_DIRECT_URL",
        "TIDINGS_NATS_CREDS_FILE",
        "TIDINGS_NATS_TLS_CA_FILE",
        "TIDINGS_NATS_TLS_CERT_FILE",
        "TIDINGS_NATS_TLS_KEY_FILE",
      ],
      redis: [
        "TIDINGS_REDIS_PREFIX",
        "TIDINGS_REDIS_CLUSTER",
        "TIDINGS_REDIS_CLUSTER_NODES",
        "TIDINGS_REDIS_PASSWORD",
        "TIDINGS_REDIS_TLS_CA_FILE",
        "TIDINGS_REDIS_TLS_SERVERNAME",
      ],
      tokens: ["TIDINGS_JWT_SECRET", "TIDINGS_CORS_ORIGINS"],
    },
  ])(
    "with $name, gives every service the same value of each setting they must agree on",
    ({ values, all, redis, tokens }) => {
      const { manifests } = renderChart(chart, values);
      const env = Object.fromEntries(COMPONENTS.map((c) => [c, startedEnv(manifests, c).env]));
      const same = (name: string, components: Component[]) => {
        const seen = components.map((c) => env[c]?.[name]);
        expect(new Set(seen).size, name).toBe(1);
        expect(seen[0], name).toBeDefined();
      };
      for (const name of all) same(name, [...COMPONENTS]);
      for (const name of redis) same(name, ["evaluator", "gateway"]);
      for (const name of tokens) same(name, ["records", "gateway"]);
    },
  );

  it("probe the health endpoints every service serves, on its HTTP port", async () => {
    const paths = new Set<string>();
    for (const component of COMPONENTS) {
      const { container } = started(CONNECTED, component);
      const probes = {
        startup: container.startupProbe?.httpGet,
        liveness: container.livenessProbe?.httpGet,
        readiness: container.readinessProbe?.httpGet,
      };
      expect(probes.startup?.path).toBe("/healthz");
      expect(probes.liveness?.path).toBe("/healthz");
      expect(probes.readiness?.path).toBe("/readyz");
      for (const probe of Object.values(probes)) {
        expect(portNamed(container, probe?.port), component).toBeDefined();
        paths.add(probe?.path ?? "");
      }
    }
    // All three services serve them through registerHealthRoutes...
    for (const file of [
      "services/records/src/app.ts",
      "services/evaluator/src/start-evaluator.ts",
      "services/gateway/src/start-gateway.ts",
    ])
      expect(readFileSync(new URL(file, ROOT), "utf8"), file).toContain("registerHealthRoutes(");
    // ...which answers on exactly these paths.
    const app = Fastify();
    registerHealthRoutes(app, createLifecycle(), {});
    for (const url of paths) expect((await app.inject({ url })).statusCode, url).toBe(200);
    await app.close();
  });

  it("give each pod time for the preStop pause and its service's shutdown deadline", () => {
    // The entry point and the files it imports itself, where the signal handling is.
    const source = (component: Component) => {
      const dir = new URL(`services/${component}/src/`, ROOT);
      const main = readFileSync(new URL("main.ts", dir), "utf8");
      const imported = [...main.matchAll(/(?:from|import\()\s*"\.\/([\w./-]+\.ts)"/g)].map(
        ([, file = ""]) => readFileSync(new URL(file, dir), "utf8"),
      );
      return [main, ...imported].join("\n");
    };
    const number = (text: string | undefined) => Number(text?.replaceAll("_", "") ?? Number.NaN);
    // records and evaluator exit at the latest after a fixed deadline...
    for (const component of ["records", "evaluator"] as const) {
      const deadlineMs = number(/exitOnSignals\([^,]+,\s*([\d_]+)/.exec(source(component))?.[1]);
      const { deployment, container } = started(CONNECTED, component);
      const pause = Number(container.lifecycle?.preStop?.exec?.command[1]);
      expect(deadlineMs).toBeGreaterThan(0);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(
        pause + deadlineMs / 1000,
      );
    }
    // ...a gateway after TIDINGS_SHUTDOWN_DEADLINE and a margin.
    const marginMs = number(/shutdownDeadlineMs \+ ([\d_]+)/.exec(source("gateway"))?.[1]);
    expect(marginMs).toBeGreaterThan(0);
    for (const deadline of [20, 120]) {
      const { deployment, container, env } = started(
        { ...CONNECTED, gateway: { shutdownDeadline: deadline }, preStopSleepSeconds: 7 },
        "gateway",
      );
      expect(env.TIDINGS_SHUTDOWN_DEADLINE).toBe(String(deadline));
      expect(container.lifecycle?.preStop?.exec?.command).toEqual(["sleep", "7"]);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(
        7 + deadline + marginMs / 1000,
      );
    }
  });

  it("run as a non-root user on a read-only root filesystem, with a writable /tmp", () => {
    for (const component of COMPONENTS) {
      const { deployment, container } = started(CONNECTED, component);
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
      const mount = container.volumeMounts?.find((m) => m.mountPath === "/tmp");
      expect(pod.volumes?.find((v) => v.name === mount?.name)?.emptyDir).toBeDefined();
    }
  });

  it("leave the replicas of autoscaled Deployments to their autoscalers", () => {
    const { manifests } = renderChart(chart, EVERYTHING);
    const targets = ofKind<Autoscaler>(manifests, "HorizontalPodAutoscaler")
      .map((hpa) => hpa.spec.scaleTargetRef.name)
      .sort();
    const deployments = ofKind<Deployment>(manifests, "Deployment");
    const scalable = deployments.filter((d) => componentOf(d) !== "records");
    expect(targets).toEqual(scalable.map((d) => d.metadata.name).sort());
    for (const deployment of deployments)
      expect(deployment.spec.replicas, deployment.metadata.name).toBe(
        targets.includes(deployment.metadata.name) ? undefined : 2,
      );
  });

  it("roll their pods when the configuration changes", () => {
    const checksum = (values: Values) =>
      started(values, "gateway").deployment.spec.template.metadata.annotations?.["checksum/config"];
    const changed = { ...CONNECTED, gateway: { env: { TIDINGS_MAX_MESSAGE_BYTES: "131072" } } };
    expect(checksum(CONNECTED)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(changed)).not.toBe(checksum(CONNECTED));
  });
});

describe("credentials", () => {
  it("must be given: rendering without them names the missing value", () => {
    expect(() => renderChart(chart, {})).toThrow("postgresql.url is required");
    expect(() => renderChart(chart, { ...CONNECTED, redis: { url: "" } })).toThrow(
      "redis.url is required",
    );
  });

  it("come from existingSecret when it is set, and the chart makes no Secret", () => {
    const { manifests } = renderChart(chart, { existingSecret: "tidings-credentials" });
    expect(ofKind(manifests, "Secret")).toEqual([]);
    const data = {
      TIDINGS_DATABASE_URL: "postgres://db/tidings",
      TIDINGS_NATS_URL: "nats://nats:4222",
      TIDINGS_REDIS_URL: "redis://redis:6379",
      TIDINGS_JWT_SECRET: "a-jwt-secret-of-at-least-32-characters",
    };
    for (const component of COMPONENTS) {
      const container = onlyContainer(forComponent(manifests, "Deployment", component));
      const refs = (container.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.name);
      expect(new Set(refs)).toEqual(new Set(["tidings-credentials"]));
      const env = containerEnv(manifests, container, { "tidings-credentials": data });
      expect(SERVICE_CONFIG[component].load(env).unknownVariables).toEqual([]);
    }
  });

  it("stay out of the ConfigMaps", () => {
    const { manifests } = renderChart(chart, EVERYTHING);
    const plain = JSON.stringify(ofKind<ConfigMap>(manifests, "ConfigMap"));
    for (const secret of ["tidings:pw@", "a-jwt-secret", "service-token", "app-secret"])
      expect(plain).not.toContain(secret);
  });
});
