import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { CHART_DIR, loadChart, ROOT, renderChart, type Values } from "./chart.ts";
import { CONNECTED, EVERYTHING } from "./fixtures.ts";
import {
  type ConfigMap,
  type Container,
  componentOf,
  type Deployment,
  hookOf,
  ofKind,
  type Pod,
  type Service,
  selectedDeployments,
} from "./kube.ts";

const chart = loadChart();
const SCRIPT = new URL("files/helm-test.mjs", CHART_DIR);

function testObjects(values: Values) {
  const { manifests } = renderChart(chart, values);
  const tests = manifests.filter((m) => hookOf(m)?.events.includes("test"));
  return {
    manifests,
    pod: ofKind<Pod>(tests, "Pod")[0],
    configMap: ofKind<ConfigMap>(tests, "ConfigMap")[0],
    count: tests.length,
  };
}

const value = (container: Container | undefined, name: string) =>
  container?.env?.find((e) => e.name === name);

describe("helm test", () => {
  const { manifests, pod, configMap, count } = testObjects(EVERYTHING);
  const container = pod?.spec.containers[0];

  it("is a test hook pod running the chart's script, from a test hook ConfigMap made before it", () => {
    expect(count).toBe(2);
    expect(hookOf(pod as Pod)?.deletePolicies).toEqual(["before-hook-creation", "hook-succeeded"]);
    expect(hookOf(configMap as ConfigMap)?.weight).toBeLessThan(hookOf(pod as Pod)?.weight ?? 0);
    expect(configMap?.data?.["helm-test.mjs"]).toBe(readFileSync(SCRIPT, "utf8"));
    expect(pod?.spec.restartPolicy).toBe("Never");
    // The services' image, whose entrypoint is node; the script where the ConfigMap is mounted.
    const deployment = ofKind<Deployment>(manifests, "Deployment")[0];
    expect(container?.image).toBe(deployment?.spec.template.spec.containers[0]?.image);
    const mount = container?.volumeMounts?.find((m) =>
      container.args?.[0]?.startsWith(`${m.mountPath}/`),
    );
    const volume = pod?.spec.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.configMap?.name).toBe(configMap?.metadata.name);
    expect(container?.args).toEqual(["/helm-test/helm-test.mjs"]);
    expect(pod?.spec.automountServiceAccountToken).toBe(false);
  });

  it("points the script at the records and gateway Services, and the superuser of the Secret", () => {
    const serving = (url: string | undefined) => {
      const { hostname, port } = new URL(url ?? "");
      const service = ofKind<Service>(manifests, "Service").find(
        (s) => s.metadata.name === hostname,
      );
      expect(service?.spec.ports.map((p) => p.port)).toContain(Number(port));
      return selectedDeployments(manifests, service?.spec.selector ?? {}).map(componentOf);
    };
    expect(serving(value(container, "RECORDS_URL")?.value)).toEqual(["records"]);
    expect(serving(value(container, "GATEWAY_URL")?.value)).toEqual(["gateway"]);
    for (const [name, key] of [
      ["SUPERUSER_EMAIL", "TIDINGS_SUPERUSER_EMAIL"],
      ["SUPERUSER_PASSWORD", "TIDINGS_SUPERUSER_PASSWORD"],
    ])
      expect(value(container, name ?? "")?.valueFrom?.secretKeyRef).toEqual({
        name: "demo-tidings",
        key,
        optional: true,
      });
    const fromTheirs = testObjects({ existingSecret: "tidings-credentials" }).pod;
    expect(
      value(fromTheirs?.spec.containers[0], "SUPERUSER_EMAIL")?.valueFrom?.secretKeyRef?.name,
    ).toBe("tidings-credentials");
    // Every variable the script reads is set.
    const read = [...readFileSync(SCRIPT, "utf8").matchAll(/(?:env\.|setting\(")([A-Z_]+)/g)].map(
      ([, name]) => name,
    );
    expect(new Set(read)).toEqual(new Set(container?.env?.map((e) => e.name)));
  });

  it("can be left out", () => {
    expect(testObjects({ ...CONNECTED, tests: { enabled: false } }).count).toBe(0);
  });

  it("passes against a cluster: written on one node, received through another", async () => {
    const superuser = { email: "helm-test@example.com", password: "helm-test-password-9" };
    await using cluster = await startCluster({
      nodes: 2,
      env: {
        TIDINGS_SUPERUSER_EMAIL: superuser.email,
        TIDINGS_SUPERUSER_PASSWORD: superuser.password,
      },
    });
    const [writer, reader] = cluster.nodes;
    const run = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, [fileURLToPath(SCRIPT)], {
        env: {
          PATH: process.env.PATH,
          RECORDS_URL: writer?.url ?? "",
          GATEWAY_URL: reader?.url ?? "",
          SUPERUSER_EMAIL: superuser.email,
          SUPERUSER_PASSWORD: superuser.password,
          TIMEOUT_SECONDS: "20",
          // The checkout's node_modules instead of the image's /app.
          MODULES_FROM: fileURLToPath(ROOT),
          ...env,
        },
      }).then(
        (done) => ({ code: 0, ...done }),
        (failed: { code: number; stdout: string; stderr: string }) => failed,
      );
    const passed = await run({});
    expect(passed.stderr).toBe("");
    expect(passed.stdout).toMatch(/received the change of record \w+ after \d+ ms/);
    expect(passed.stdout).toContain("deleted the collection");
    expect(passed.code).toBe(0);
    const collections = await cluster.call("GET", "/api/collections?perPage=1000", {
      token: cluster.superuser.token,
    });
    expect(JSON.stringify(collections.body)).not.toContain("helm_test_");

    const refused = await run({ SUPERUSER_PASSWORD: "not-the-password-1" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "signing in as helm-test@example.com: HTTP 400 INVALID_CREDENTIALS",
    );
    const unset = await run({ SUPERUSER_EMAIL: "" });
    expect(unset.stderr).toContain(
      "no superuser: set auth.superuserEmail and auth.superuserPassword",
    );
  });
});
