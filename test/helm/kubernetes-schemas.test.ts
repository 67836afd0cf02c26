import { execFileSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadChart, type Manifest, parseYaml, renderChart, type Values } from "./chart.ts";
import { splitSources } from "./chart-render.ts";
import { SCENARIOS } from "./fixtures.ts";
import { schemaProblems, unknownFieldProblems, VALIDATED_KINDS } from "./kube-schemas.ts";
import { metadataProblems, monitoringProblems } from "./monitoring-crds.ts";

const chart = loadChart();
const scenarios = Object.entries(SCENARIOS);

describe.each(scenarios)("with %s", (_, values) => {
  const { manifests } = renderChart(chart, values);

  it("every object passes its kind's Kubernetes schema", () => {
    expect(manifests.length).toBeGreaterThan(0);
    expect(manifests.flatMap(schemaProblems)).toEqual([]);
  });

  it("every object has a name, namespace and labels Kubernetes accepts", () => {
    expect(manifests.flatMap(metadataProblems)).toEqual([]);
    const monitoring = manifests.filter((m) => m.apiVersion === "monitoring.coreos.com/v1");
    expect(monitoring.flatMap(monitoringProblems)).toEqual([]);
  });
});

it("no object of any of these value sets has a field its kind does not have", () => {
  // One type-check of every object at once: a program per value set would cost a second each.
  const all = scenarios.flatMap(([, values]) => renderChart(chart, values).manifests);
  expect(unknownFieldProblems(all)).toEqual([]);
});

describe("the schemas", () => {
  const deployment = () =>
    structuredClone(
      renderChart(chart, SCENARIOS["the required values"]).manifests.find(
        (m) => m.kind === "Deployment",
      ),
    ) as Manifest & { spec: { replicas: unknown; template: { spec: Record<string, unknown> } } };

  it("refuse what the API server refuses: a wrong type, a missing or unknown field or kind", () => {
    const wrongType = deployment();
    wrongType.spec.replicas = "two";
    expect(schemaProblems(wrongType).join()).toContain("/spec/replicas must be integer");
    const noContainers = deployment();
    delete noContainers.spec.template.spec.containers;
    expect(schemaProblems(noContainers).join()).toContain("containers");
    const misplaced = deployment();
    misplaced.spec.template.spec.podSecurityContext = { runAsUser: 1000 };
    expect(schemaProblems(misplaced)).toEqual([]);
    expect(unknownFieldProblems([misplaced]).join()).toContain(
      "'\"podSecurityContext\"' does not exist in type 'IPodSpec'",
    );
    const bad = { ...deployment(), kind: "Deploymnet" };
    expect(schemaProblems(bad)).toEqual([
      `Deploymnet ${bad.metadata.name}: no schema for apps/v1/Deploymnet in kube-schemas.ts`,
    ]);
  });

  it("cover the kinds the chart renders", () => {
    const rendered = scenarios.flatMap(([, values]) => renderChart(chart, values).manifests);
    const kinds = new Set(rendered.map((m) => `${m.apiVersion}/${m.kind}`));
    expect([...kinds].filter((kind) => !VALIDATED_KINDS.includes(kind))).toEqual([]);
  });
});

/** A `helm` on PATH, which the development machines and CI do not have. */
function helmOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "helm");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

const helm = helmOnPath();
const chartDir = fileURLToPath(chart.dir);

/** Runs the real Helm with the values as a file, as `renderChart` gives them to chart-render. */
function withValuesFile<T>(values: Values, run: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "tidings-helm-"));
  try {
    const file = join(dir, "values.json");
    writeFileSync(file, JSON.stringify(values));
    return run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!helm)(
  helm ? `the real Helm (${helm})` : "the real Helm: skipped, no `helm` binary on PATH",
  () => {
    it.each(scenarios)(
      "with %s, lints the chart and renders what chart-render renders",
      (_, values) =>
        withValuesFile(values, (file) => {
          const run = (...args: string[]) =>
            execFileSync(helm as string, args, { encoding: "utf8", stdio: "pipe" });
          run("lint", chartDir, "--namespace", "tidings", "-f", file);
          const output = run("template", "demo", chartDir, "--namespace", "tidings", "-f", file);
          const theirs = splitSources(output).map((document) => parseYaml(document.text));
          expect(theirs.filter((object) => object != null)).toEqual(
            renderChart(chart, values).manifests,
          );
        }),
    );
  },
);
