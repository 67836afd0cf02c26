import { readFileSync } from "node:fs";
import { loadEvaluatorConfig } from "@tidings/evaluator";
import { describe, expect, it } from "vitest";
import { loadChart, parseYaml, ROOT, renderChart, type Values } from "./chart.ts";
import { COMPONENTS } from "./fixtures.ts";
import { containerEnv, type Deployment, forComponent, type Job, ofKind } from "./kube.ts";
import { schemaProblems, unknownFieldProblems } from "./kube-schemas.ts";
import { metadataProblems } from "./monitoring-crds.ts";
import { canConnect, podOf } from "./network-policy.ts";
import { startedEnv } from "./pod-env.ts";
import { SERVICE_CONFIG } from "./service-config.ts";

const chart = loadChart();

/** The values file of docs/deploy.md's worked install: the first YAML block of its section. */
function workedInstallValues(): Values {
  const doc = readFileSync(new URL("docs/deploy.md", ROOT), "utf8");
  const section = doc.slice(doc.indexOf("## A worked install"));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("docs/deploy.md: no values file in the worked install");
  return parseYaml(block) as Values;
}

// What step 3 of the worked install puts into the Secrets, with stand-ins for the generated parts.
const SECRETS = {
  "tidings-credentials": {
    TIDINGS_DATABASE_URL: "postgres://tidings_app:app-pw@postgres.example.internal:5432/tidings",
    TIDINGS_NATS_URL: "tls://nats.nats.svc.cluster.local:4222",
    TIDINGS_REDIS_URL: "redis://redis-cluster.redis.svc.cluster.local:6379",
    TIDINGS_REDIS_PASSWORD: "from-the-redis-cluster-secret",
    TIDINGS_JWT_SECRET: "a-jwt-secret-of-at-least-32-characters-from-openssl",
    TIDINGS_SERVICE_TOKENS: "0123456789abcdef0123456789abcdef0123456789abcdef",
    TIDINGS_SUPERUSER_EMAIL: "admin@example.com",
    TIDINGS_SUPERUSER_PASSWORD: "Zq8vN2xLw4pR7tYb1cMd5fGh",
  },
  "tidings-db-owner": {
    uri: "postgres://tidings_owner:owner-pw@postgres.example.internal:5432/tidings",
  },
};

describe("the worked install of docs/deploy.md", () => {
  const values = workedInstallValues();
  const { manifests } = renderChart(chart, values);

  it("renders objects Kubernetes accepts", () => {
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
    expect(manifests.flatMap(metadataProblems)).toEqual([]);
    expect(unknownFieldProblems(manifests)).toEqual([]);
    expect(ofKind(manifests, "Secret")).toEqual([]);
    expect(ofKind(manifests, "Ingress")).toHaveLength(1);
    expect(ofKind(manifests, "NetworkPolicy")).toHaveLength(3);
  });

  it("gives each service an environment its own config loader accepts, from the Secrets", () => {
    for (const component of COMPONENTS) {
      const { env } = startedEnv(manifests, component, SECRETS);
      expect(SERVICE_CONFIG[component].load(env).unknownVariables, component).toEqual([]);
    }
    const evaluator = loadEvaluatorConfig(startedEnv(manifests, "evaluator", SECRETS).env);
    expect(evaluator.redis.clusterNodes).toHaveLength(4);
    expect(evaluator.redis.password).toBe(SECRETS["tidings-credentials"].TIDINGS_REDIS_PASSWORD);
    expect(evaluator.bus.replicas).toBe(3);
    expect(Object.keys(evaluator.bus.security).sort()).toEqual(["creds", "tls"]);
    const [job] = ofKind<Job>(manifests, "Job");
    const migrate = containerEnv(
      manifests,
      job?.spec.template.spec.containers[0] as never,
      SECRETS,
    );
    expect(migrate.TIDINGS_DATABASE_URL).toBe(SECRETS["tidings-db-owner"].uri);
  });

  it("lets the pods reach PostgreSQL, NATS and Redis where the install has them", () => {
    const pod = (component: (typeof COMPONENTS)[number]) =>
      podOf(forComponent<Deployment>(manifests, "Deployment", component));
    const nats = { namespace: "nats", labels: { "app.kubernetes.io/name": "nats" } };
    const redis = { namespace: "redis", labels: { "app.kubernetes.io/name": "redis-cluster" } };
    for (const component of COMPONENTS) {
      expect(canConnect(manifests, pod(component), { ip: "10.20.0.10" }, 5432)).toBe(true);
      expect(canConnect(manifests, pod(component), nats, 4222)).toBe(true);
      expect(canConnect(manifests, pod(component), redis, 6379)).toBe(component !== "records");
    }
    // The namespace labelled in step 3 may publish over gRPC; another may not.
    const billing = {
      namespace: "billing",
      namespaceLabels: { "tidings.example.com/publisher": "true" },
      labels: {},
    };
    expect(canConnect(manifests, billing, pod("records"), 8091)).toBe(true);
    expect(canConnect(manifests, { namespace: "sandbox" }, pod("records"), 8091)).toBe(false);
  });
});
