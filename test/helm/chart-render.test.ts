import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runChartRender, splitSources } from "./chart-render.ts";

// deploy/chart-render stands in for `helm template`; what it must do as Helm does is pinned here
// on small charts of its own.
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const CHART_YAML =
  "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: '4.5'\nkubeVersion: '>=1.23.0-0'\n";

/** A chart folder with these files (Chart.yaml unless given). */
function chartWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tidings-chart-"));
  made.push(dir);
  for (const [name, text] of Object.entries({ "Chart.yaml": CHART_YAML, ...files })) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The rendered text of one template. */
function renderOne(template: string, args: string[] = [], values = "", input = ""): string {
  const dir = chartWith({ "values.yaml": values, "templates/out.yaml": template });
  const docs = splitSources(runChartRender([...args, dir], input));
  return docs
    .map((d) => d.text)
    .join("---\n")
    .trimEnd();
}

describe("chart-render", () => {
  it("prints each document under its file's # Source header, in Helm's order by kind", () => {
    const dir = chartWith({
      "templates/a-deployment.yaml": "kind: Deployment\nmetadata: {name: d}\n",
      "templates/b-service.yaml":
        "kind: Service\nmetadata: {name: s}\n---\n# only a comment\n---\n",
      "templates/c-configmaps.yaml":
        "kind: ConfigMap\nmetadata: {name: one}\n---\nkind: ConfigMap\nmetadata: {name: two}\n",
      "templates/d-widget.yaml": "kind: Widget\nmetadata: {name: w}\n",
      "templates/e-hook.yaml":
        "kind: Job\nmetadata:\n  name: j\n  annotations: {helm.sh/hook: pre-install}\n",
      "templates/_helpers.tpl": '{{ define "x" }}kind: Never{{ end }}',
    });
    const output = runChartRender([dir]);
    expect(
      output.startsWith("---\n# Source: demo/templates/c-configmaps.yaml\nkind: ConfigMap\n"),
    ).toBe(true);
    expect(splitSources(output).map((d) => `${d.source} ${d.text.split("\n")[0]}`)).toEqual([
      "demo/templates/c-configmaps.yaml kind: ConfigMap",
      "demo/templates/c-configmaps.yaml kind: ConfigMap",
      "demo/templates/b-service.yaml kind: Service",
      "demo/templates/a-deployment.yaml kind: Deployment",
      // Kinds Helm does not know come last, by name (a comment has none); hooks after everything.
      "demo/templates/b-service.yaml # only a comment",
      "demo/templates/d-widget.yaml kind: Widget",
      "demo/templates/e-hook.yaml kind: Job",
    ]);
  });

  it("stops with Helm's messages: parse errors, required, fail and invalid YAML", () => {
    const fails = (template: string) => () => renderOne(template);
    expect(fails("a: {{ if .Values.x }}\n")).toThrow(
      "Error: parse error at (demo/templates/out.yaml:2): unexpected EOF",
    );
    expect(fails("a: {{ .Values.x | frobnicate }}")).toThrow('function "frobnicate" not defined');
    expect(fails('a: {{ required "x is required" .Values.x }}')).toThrow(
      "Error: execution error at (demo/templates/out.yaml:1:6): x is required",
    );
    expect(fails('\n{{ fail "no way" }}')).toThrow(
      "execution error at (demo/templates/out.yaml:2:3): no way",
    );
    expect(fails("a: [")).toThrow("YAML parse error on demo/templates/out.yaml");
    expect(fails("{{ .Values.a.b.c }}")).toThrow("nil pointer evaluating interface {}.b");
    // Go compares no int with a float64, which every number of a values file is.
    expect(() => renderOne("{{ eq .Values.port 8090 }}", [], "port: 8090\n")).toThrow(
      "incompatible types for comparison",
    );
  });

  it("reads numbers from values files as float64 and from --set as int64, as Helm", () => {
    const types = '{{ range $k, $v := .Values }}{{ $k }}={{ $v }}:{{ printf "%T" $v }} {{ end }}';
    expect(renderOne(`# ${types}`, [], "big: 1048576\nsmall: 8090\nratio: 0.25\nflag: yes\n")).toBe(
      "# big=1.048576e+06:float64 flag=true:bool ratio=0.25:float64 small=8090:float64",
    );
    const set = ["--set", "n=10,zero=0,lead=010,f=1.5,b=TRUE,s=text", "--set-string", "str=10"];
    expect(renderOne(`# ${types}`, set)).toBe(
      "# b=true:bool f=1.5:string lead=010:string n=10:int64 s=text:string str=10:string zero=0:int64",
    );
  });

  it("takes --set paths, lists and indices, and -f files in order, over values.yaml", () => {
    const values = "a:\n  keep: 1\n  drop: 2\nlist: [x]\n";
    const input = "a:\n  drop: null\n  added: from-stdin\n";
    const args = ["-f", "-", "--set", "list={p,q},arr[1].name=b,dotted.key\\.with\\.dots=v"];
    expect(renderOne("{{ toJson .Values }}", args, values, input)).toBe(
      '{"a":{"added":"from-stdin","keep":1},"arr":[null,{"name":"b"}],"dotted":{"key.with.dots":"v"},"list":["p","q"]}',
    );
    expect(() => renderOne("x: 1", ["--set", "a.b"])).toThrow('key "b" has no value');
  });

  it("checks the values against values.schema.json first", () => {
    const dir = chartWith({
      "values.yaml": "port: 8080\n",
      "values.schema.json": JSON.stringify({
        type: "object",
        properties: { port: { type: "integer", minimum: 1 } },
      }),
      "templates/out.yaml": "port: {{ .Values.port }}\n",
    });
    expect(runChartRender(["--set", "port=9000", dir])).toContain("port: 9000");
    expect(() => runChartRender(["--set", "port=0", dir])).toThrow(
      "values don't meet the specifications of the schema(s) in the following chart(s):\ndemo:\n- port: Must be greater than or equal to 1",
    );
    expect(runChartRender(["--set", "port=0", "--skip-schema-validation", dir])).toContain(
      "port: 0",
    );
  });

  it("gives the built-in objects and Helm's functions", () => {
    const dir = chartWith({
      "files/a.json": '{"k": 1}\n',
      "files/b.txt": "line 1\nline 2\n",
      "templates/_helpers.tpl": '{{- define "greet" -}}hello {{ . }}{{- end -}}',
      "templates/out.yaml": [
        "chart: {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }}",
        "release: {{ .Release.Name }}/{{ .Release.Namespace }} {{ .Release.Service }} {{ .Release.IsInstall }} {{ .Release.Revision }}",
        "template: {{ .Template.Name }} {{ .Template.BasePath }}",
        'kube: {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}',
        'file: {{ (.Files.Get "files/a.json" | fromJson).k }} {{ .Files.Get "missing" | quote }} {{ len (.Files.Lines "files/b.txt") }}',
        'glob: {{ range $name, $_ := .Files.Glob "files/*" }}{{ $name }} {{ end }}',
        'include: {{ include "greet" "you" | upper }} {{ tpl "{{ .Release.Name }}" . }}',
        'lookup: {{ lookup "v1" "Secret" "ns" "name" | len }}',
        'yaml: {{ dict "b" 1 "a" (list "on" 2) | toYaml | nindent 2 }}',
      ].join("\n"),
    });
    const args = ["--release", "rel", "--namespace", "ns", "-a", "monitoring.coreos.com/v1", dir];
    expect(splitSources(runChartRender(args))[0]?.text.trimEnd()).toBe(
      [
        "chart: demo-1.2.3-4.5",
        "release: rel/ns Helm true 1",
        "template: demo/templates/out.yaml demo/templates",
        "kube: v1.32.0 true true",
        'file: 1 "" 2',
        "glob: files/a.json files/b.txt ",
        "include: HELLO YOU rel",
        "lookup: 0",
        "yaml: ",
        "  a:",
        '  - "on"',
        "  - 2",
        "  b: 1",
      ].join("\n"),
    );
  });

  it("refuses a Kubernetes version outside Chart.yaml's kubeVersion", () => {
    const dir = chartWith({
      "templates/out.yaml": "kube: {{ .Capabilities.KubeVersion.Minor }}\n",
    });
    expect(runChartRender(["--kube-version", "1.29.3", dir])).toContain("kube: 29");
    expect(() => runChartRender(["--kube-version", "1.22.0", dir])).toThrow(
      "chart requires kubeVersion: >=1.23.0-0 which is incompatible with Kubernetes v1.22.0",
    );
  });

  it("prints NOTES.txt only when asked, and leaves out files that render to nothing", () => {
    const dir = chartWith({
      "templates/NOTES.txt": "Installed {{ .Release.Name }}.",
      "templates/off.yaml": "{{- if .Values.on }}\nkind: ConfigMap\n{{- end }}\n",
      "templates/on.yaml": "kind: Secret\n",
    });
    expect(splitSources(runChartRender([dir])).map((d) => d.source)).toEqual([
      "demo/templates/on.yaml",
    ]);
    expect(splitSources(runChartRender(["--notes", "r", dir])).at(-1)).toEqual({
      source: "demo/templates/NOTES.txt",
      text: "Installed r.\n",
    });
  });
});
