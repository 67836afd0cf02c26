import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { runChartRender, splitSources } from "./chart-render.ts";

/** The repository root and the chart under test. */
export const ROOT = new URL("../../", import.meta.url);
export const CHART_DIR = new URL("helm/tidings/", ROOT);

export type Values = Record<string, unknown>;

/** A rendered Kubernetes object; tests narrow it with the types in kube.ts. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    /** Set only where the chart puts an object outside the release's namespace. */
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

export interface Chart {
  /** The chart's folder, which the renderer reads. */
  dir: URL;
  meta: { apiVersion: string; name: string; version: string; appVersion: string; type?: string };
  values: Values;
  /** Template sources by file name (templates/ has no subfolders). */
  templates: Map<string, string>;
  /** What templates read with `.Files.Get`, by path in the chart. */
  files: Map<string, string>;
}

export interface Rendered {
  /**
   * Rendered text by template file (its name under templates/), NOTES.txt included; a file's
   * documents as `helm template` prints them, joined by `---` lines. Files that render to nothing
   * are absent.
   */
  files: Map<string, string>;
  manifests: Manifest[];
}

/** Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml), where `on` and `yes` are booleans. */
export const parseYaml = (text: string): unknown => YAML.parse(text, { version: "1.1" });

export function loadChart(): Chart {
  const read = (file: string) => readFileSync(new URL(file, CHART_DIR), "utf8");
  const templates = new Map(
    readdirSync(new URL("templates/", CHART_DIR))
      .sort()
      .map((file) => [file, read(`templates/${file}`)] as const),
  );
  return {
    dir: CHART_DIR,
    meta: parseYaml(read("Chart.yaml")) as Chart["meta"],
    values: parseYaml(read("values.yaml")) as Values,
    templates,
    files: new Map(otherFiles().map((file) => [file, read(file)] as const)),
  };
}

// Helm's loader keeps these for itself; every other file of the chart is in `.Files`.
const NOT_IN_FILES =
  /^(templates|charts)\/|^(Chart\.yaml|Chart\.lock|values\.yaml|values\.schema\.json)$/;

function otherFiles(): string[] {
  return readdirSync(CHART_DIR, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(fileURLToPath(CHART_DIR), join(entry.parentPath, entry.name)))
    .filter((file) => !NOT_IN_FILES.test(file))
    .sort();
}

function isMap(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Helm's coalescing of given values over the chart's: maps merge, null deletes, the rest replaces. */
export function mergeValues(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const held = merged[key];
    if (value === null) delete merged[key];
    else merged[key] = isMap(held) && isMap(value) ? mergeValues(held, value) : value;
  }
  return merged;
}

// Rendering and parsing the output take tens of milliseconds; tests render the same values often.
const rendered = new WeakMap<Chart, Map<string, Rendered>>();

/**
 * What `helm template <release> helm/tidings --namespace tidings -f <overrides>` renders, by
 * deploy/chart-render (Go's text/template and sprig, as in Helm), parsed. Throws what Helm would
 * print: a `required` or `fail` message, a parse error or the values.schema.json errors. The
 * result is shared between callers with the same arguments: do not modify it.
 */
export function renderChart(chart: Chart, overrides: Values = {}, release = "demo"): Rendered {
  const cache = rendered.get(chart) ?? new Map<string, Rendered>();
  rendered.set(chart, cache);
  const key = JSON.stringify([overrides, release]);
  const cached = cache.get(key);
  if (cached) return cached;
  const result = render(chart, overrides, release);
  cache.set(key, result);
  return result;
}

function render(chart: Chart, overrides: Values, release: string): Rendered {
  // JSON is YAML: the overrides are a values file, read from stdin.
  const args = ["--release", release, "--namespace", "tidings", "--notes", "-f", "-"];
  const output = runChartRender([...args, fileURLToPath(chart.dir)], JSON.stringify(overrides));
  const base = `${chart.meta.name}/templates/`;
  const files = new Map<string, string>();
  const manifests: Manifest[] = [];
  for (const { source, text } of splitSources(output)) {
    const file = source.startsWith(base) ? source.slice(base.length) : source;
    const held = files.get(file);
    files.set(file, held === undefined ? text : `${held}---\n${text}`);
    if (file === "NOTES.txt") continue;
    const parsed = parseYaml(text);
    if (parsed !== null && parsed !== undefined) manifests.push(parsed as Manifest);
  }
  return { files, manifests };
}
