import { loadEvaluatorConfig } from "@tidings/evaluator";
import { describe, expect, it } from "vitest";
import { loadChart, renderChart, type Values } from "./chart.ts";
import { CLUSTERED, CONNECTED, NKEY_AND_CLIENT_CERTIFICATES } from "./fixtures.ts";
import { type ConfigMap, ofKind, renderedSecrets } from "./kube.ts";
import { startedEnv } from "./pod-env.ts";

const chart = loadChart();

const filesOf = (values: Values, component: "records" | "evaluator" | "gateway") =>
  startedEnv(renderChart(chart, values).manifests, component).files;

const secret = (name: string, key: string) => ({ kind: "Secret", name, key, readOnly: true });
const configMap = (name: string, key: string) => ({ kind: "ConfigMap", name, key, readOnly: true });

describe("NATS and Redis connections", () => {
  it("mount each credential and certificate from the Secret or ConfigMap key the values name", () => {
    const nats = {
      TIDINGS_NATS_CREDS_FILE: secret("tidings-nats-creds", "nats.creds"),
      TIDINGS_NATS_TLS_CA_FILE: configMap("nats-ca", "ca.crt"),
      TIDINGS_NATS_TLS_CERT_FILE: secret("tidings-nats-client", "tls.crt"),
      TIDINGS_NATS_TLS_KEY_FILE: secret("tidings-nats-client", "tls.key"),
    };
    const redis = { TIDINGS_REDIS_TLS_CA_FILE: secret("redis-ca", "ca.crt") };
    expect(filesOf(CLUSTERED, "records")).toEqual(nats);
    expect(filesOf(CLUSTERED, "evaluator")).toEqual({ ...nats, ...redis });
    expect(filesOf(CLUSTERED, "gateway")).toEqual({ ...nats, ...redis });
    expect(filesOf(NKEY_AND_CLIENT_CERTIFICATES, "gateway")).toEqual({
      TIDINGS_NATS_NKEY_SEED_FILE: secret("tidings-nats-nkey", "seed.nk"),
      TIDINGS_REDIS_TLS_CA_FILE: secret("redis-tls", "ca.crt"),
      TIDINGS_REDIS_TLS_CERT_FILE: secret("redis-tls", "tls.crt"),
      TIDINGS_REDIS_TLS_KEY_FILE: secret("redis-tls", "tls.key"),
    });
    expect(filesOf(CONNECTED, "gateway")).toEqual({});
  });

  it("give the services a Redis Cluster with its seed nodes, password and TLS, and replicated streams", () => {
    const { env } = startedEnv(renderChart(chart, CLUSTERED).manifests, "evaluator");
    const config = loadEvaluatorConfig(env);
    expect(config.redis.clusterNodes).toEqual([
      { host: "redis-cluster.data", port: 6379 },
      { host: "redis-cluster-1.data", port: 6379 },
      { host: "redis-cluster-2.data", port: 6379 },
    ]);
    expect(config.redis.password).toBe("redis-password-1234");
    expect(config.redis.tls?.servername).toBe("redis-cluster.data");
    expect(config.redis.tls?.ca).toContain("-----BEGIN");
    expect(config.bus.replicas).toBe(3);
    expect(Object.keys(config.bus.security).sort()).toEqual(["creds", "tls"]);
    expect(Object.keys(config.bus.security.tls ?? {}).sort()).toEqual(["ca", "cert", "key"]);
    expect(config.databaseDirectUrl).toBe((CLUSTERED.postgresql as Values).directUrl);
  });

  it("keep the password and the direct URL in the Secret, the rest in the ConfigMaps", () => {
    const { manifests } = renderChart(chart, {
      ...NKEY_AND_CLIENT_CERTIFICATES,
      postgresql: CLUSTERED.postgresql,
    });
    expect(renderedSecrets(manifests)["demo-tidings"]).toMatchObject({
      TIDINGS_REDIS_PASSWORD: "redis-password-1234",
      TIDINGS_DATABASE_DIRECT_URL: (CLUSTERED.postgresql as Values).directUrl,
    });
    const plain = JSON.stringify(ofKind<ConfigMap>(manifests, "ConfigMap"));
    expect(plain).not.toContain("redis-password");
    expect(plain).toContain('"TIDINGS_REDIS_USERNAME":"tidings"');
  });

  it("refuse settings the services would refuse", () => {
    const render = (values: Values) => () => renderChart(chart, { ...CONNECTED, ...values });
    expect(
      render({ nats: { credentials: { secretName: "a" }, nkey: { secretName: "b" } } }),
    ).toThrow("nats.nkey and nats.credentials: set one");
    expect(render({ redis: { url: "redis://r:6379", tls: { ca: { secretName: "ca" } } } })).toThrow(
      "redis.tls.* needs a rediss:// redis.url",
    );
    expect(render({ redis: { url: "redis://r:6379", cluster: { nodes: ["r2:6379"] } } })).toThrow(
      "redis.cluster.nodes needs redis.cluster.enabled",
    );
    expect(render({ nats: { tls: { ca: { secretName: "a", configMapName: "b" } } } })).toThrow(
      "nats.tls.ca: Must not validate",
    );
  });
});
