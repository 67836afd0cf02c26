import { describe, expect, it } from "vitest";
import { loadChart, type Manifest, renderChart, type Values } from "./chart.ts";
import { COMPONENTS, CONNECTED, OPENSHIFT, SCENARIOS } from "./fixtures.ts";
import {
  type Deployment,
  forComponent,
  hookOf,
  ofKind,
  onlyContainer,
  type PodSpec,
  podSpecOf,
} from "./kube.ts";

const chart = loadChart();
const USERS = SCENARIOS["pod settings of the user's"] as Values;

const deployment = (values: Values, component: string) =>
  forComponent<Deployment>(renderChart(chart, values).manifests, "Deployment", component);
const pod = (values: Values, component: string) => deployment(values, component).spec.template.spec;

/** Every pod the chart makes: the Deployments', the migration Job's and the helm test's. */
function everyPod(values: Values): [string, PodSpec][] {
  return renderChart(chart, values)
    .manifests.filter((m: Manifest) => ["Deployment", "Job", "Pod"].includes(m.kind))
    .map((m) => [`${m.kind} ${m.metadata.name}`, podSpecOf(m)]);
}

describe("spread", () => {
  it.each(COMPONENTS)(
    "%s: prefers other nodes and spreads over zones, never refusing to schedule",
    (component) => {
      const { spec, selector } = {
        spec: pod(CONNECTED, component),
        selector: deployment(CONNECTED, component).spec.selector.matchLabels,
      };
      const [preferred, ...others] =
        spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      expect(others).toEqual([]);
      expect(preferred?.podAffinityTerm.topologyKey).toBe("kubernetes.io/hostname");
      expect(preferred?.podAffinityTerm.labelSelector.matchLabels).toEqual(selector);
      expect(
        spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      ).toBeUndefined();
      expect(spec.topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: selector },
        },
      ]);
    },
  );

  it("gives way to a component's own affinity and constraints, which get its selector if they lack one", () => {
    const gateway = pod(USERS, "gateway");
    expect(gateway.affinity).toEqual((USERS.gateway as Values).affinity);
    expect(gateway.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: deployment(USERS, "gateway").spec.selector.matchLabels },
      },
    ]);
    const own = { matchLabels: { app: "mine" } };
    const constraint = {
      maxSkew: 2,
      topologyKey: "zone",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: own,
    };
    expect(
      pod({ ...CONNECTED, evaluator: { topologySpreadConstraints: [constraint] } }, "evaluator")
        .topologySpreadConstraints,
    ).toEqual([constraint]);
    // defaultSpread: false leaves the others with neither.
    expect(pod(USERS, "records").affinity).toBeUndefined();
    expect(pod(USERS, "records").topologySpreadConstraints).toBeUndefined();
  });
});

describe("security contexts", () => {
  it("run every pod as non-root user 1000, read-only, without privileges or capabilities", () => {
    for (const [name, spec] of everyPod(CONNECTED)) {
      expect(spec.securityContext, name).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        seccompProfile: { type: "RuntimeDefault" },
      });
      for (const container of spec.containers)
        expect(container.securityContext, name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
    }
  });

  it("name no user or group where the platform assigns them (OpenShift), and stay non-root", () => {
    const pods = everyPod(OPENSHIFT);
    expect(pods.length).toBe(5);
    for (const [name, spec] of pods) {
      expect(spec.securityContext, name).toEqual({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      for (const container of spec.containers)
        expect(container.securityContext?.runAsUser, name).toBeUndefined();
    }
  });

  it("are the user's where given", () => {
    const values = {
      ...CONNECTED,
      podSecurityContext: { fsGroup: 2000, runAsUser: 1500 },
      containerSecurityContext: { readOnlyRootFilesystem: false },
    };
    for (const [name, spec] of everyPod(values)) {
      expect(spec.securityContext, name).toMatchObject({
        fsGroup: 2000,
        runAsUser: 1500,
        runAsNonRoot: true,
      });
      expect(spec.containers[0]?.securityContext?.readOnlyRootFilesystem, name).toBe(false);
    }
  });
});

describe("extension points", () => {
  const records = deployment(USERS, "records");
  const spec = records.spec.template.spec;
  const container = onlyContainer(records);

  it("label the pods, not their selectors", () => {
    expect(records.spec.template.metadata.labels.team).toBe("feeds");
    expect(records.spec.selector.matchLabels.team).toBeUndefined();
  });

  it("add variables after the chart's, env sources, volumes, mounts, init containers and a priority", () => {
    expect(container.env?.at(-1)).toEqual({
      name: "NODE_OPTIONS",
      value: "--max-old-space-size=768",
    });
    expect(container.envFrom?.slice(1)).toEqual([{ secretRef: { name: "more-settings" } }]);
    expect(spec.volumes?.map((v) => v.name)).toEqual(["tmp", "certs"]);
    expect(container.volumeMounts?.map((m) => m.mountPath)).toEqual(["/tmp", "/etc/extra-ca"]);
    expect(spec.initContainers?.map((c) => c.name)).toEqual(["wait"]);
    expect(spec.priorityClassName).toBe("high");
    // The other components keep theirs.
    expect(pod(USERS, "evaluator").priorityClassName).toBeUndefined();
  });

  it("run the pods under the chart's ServiceAccount, with no API token, or under the user's", () => {
    const { manifests } = renderChart(chart, USERS);
    const [account, ...others] = ofKind<Manifest & { automountServiceAccountToken?: boolean }>(
      manifests,
      "ServiceAccount",
    );
    expect(others).toEqual([]);
    expect(account?.metadata.annotations).toEqual({
      "iam.gke.io/gcp-service-account": "tidings@p.iam",
    });
    expect(account?.automountServiceAccountToken).toBe(false);
    for (const component of COMPONENTS) {
      expect(pod(USERS, component).serviceAccountName).toBe(account?.metadata.name);
      expect(pod(USERS, component).automountServiceAccountToken).toBe(false);
    }
    const theirs = { ...CONNECTED, serviceAccount: { create: false, name: "tidings-runtime" } };
    expect(ofKind(renderChart(chart, theirs).manifests, "ServiceAccount")).toEqual([]);
    expect(pod(theirs, "gateway").serviceAccountName).toBe("tidings-runtime");
    expect(pod(OPENSHIFT, "gateway").serviceAccountName).toBeUndefined();
    // Hooks never mount a token either.
    for (const [name, hookPod] of everyPod(CONNECTED).filter(([n]) => !n.startsWith("Deployment")))
      expect(hookPod.automountServiceAccountToken, name).toBe(false);
    expect(renderChart(chart, CONNECTED).manifests.filter((m) => hookOf(m)).length).toBeGreaterThan(
      0,
    );
  });
});
