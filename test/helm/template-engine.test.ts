import { describe, expect, it } from "vitest";
import { TemplateSet } from "./template-render.ts";

// The chart checks are only as good as this stand-in for Helm's renderer, so its Go template
// semantics are pinned here.
function render(source: string, data: unknown = {}, helpers = ""): string {
  const set = new TemplateSet();
  set.add("helpers", helpers);
  set.add("main", source);
  return set.render("main", data);
}

describe("template engine", () => {
  it("trims whitespace on the side of a dash, and only there", () => {
    expect(render("a  {{- 1 -}}  b  {{ 2 }}  c")).toBe("a1b  2  c");
    expect(render("x\n  {{- /* a comment */ -}}\n  y")).toBe("xy");
  });

  it("ranges over a map in key order, over lists with an index, and falls to else when empty", () => {
    const data = { m: { b: 2, a: 1 }, l: ["x", "y"], e: [] };
    expect(render("{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}", data)).toBe("a=1;b=2;");
    expect(render("{{ range $i, $v := .l }}{{ $i }}{{ . }}{{ end }}", data)).toBe("0x1y");
    expect(render("{{ range .e }}item{{ else }}none{{ end }}", data)).toBe("none");
  });

  it("chains else if, and with moves the dot only when the value is set", () => {
    const pick = "{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else }}many{{ end }}";
    expect([1n, 2n, 3n].map((n) => render(pick, { n }))).toEqual(["one", "two", "many"]);
    expect(render("{{ with .a }}{{ .b }}{{ else }}unset{{ end }}", { a: { b: "set" } })).toBe(
      "set",
    );
    expect(render("{{ with .a }}{{ .b }}{{ else }}unset{{ end }}", { a: {} })).toBe("unset");
  });

  it("includes defines from other files with the data given, indented by nindent", () => {
    const helpers = '{{- define "pair" -}}\nk: {{ .v }}\nj: {{ $.v }}\n{{- end -}}';
    const out = render('top:{{ include "pair" (dict "v" .x) | nindent 2 }}', { x: "1" }, helpers);
    expect(out).toBe("top:\n  k: 1\n  j: 1");
  });

  it("prints numbers from values files as Go prints float64s, and int64 as integers", () => {
    const data = { big: 1048576, small: 8090 };
    expect(render("{{ .big }} {{ .small }} {{ .big | int64 }}", data)).toBe(
      "1.048576e+06 8090 1048576",
    );
    expect(render("{{ .big | int64 | quote }} {{ add .small 10 }}", data)).toBe('"1048576" 8100');
  });

  it("follows sprig's default, quote and required", () => {
    expect(render('{{ .a | default "d" }} {{ .b | default "d" }}', { a: "", b: "v" })).toBe("d v");
    expect(render("[{{ .missing | quote }}] {{ .s | quote }}", { s: 'say "hi"' })).toBe(
      '[] "say \\"hi\\""',
    );
    expect(() => render('{{ required "x is required" .x }}', {})).toThrow("x is required");
  });

  it("calls a field holding a function as a method, as Helm's .Files.Get", () => {
    const data = { Files: { Get: (name: unknown) => (name === "a.json" ? "{}" : "") } };
    expect(render('[{{ .Files.Get "a.json" }}][{{ .Files.Get "b" }}]', data)).toBe("[{}][]");
    expect(render('{{ "a.json" | .Files.Get | quote }}', data)).toBe('"{}"');
    expect(() => render('{{ .x "arg" }}', { x: "text" })).toThrow("non-function");
  });

  it("calls toString as sprig's, and replaces text without JavaScript's `$` patterns", () => {
    expect(render("{{ .n | toString | quote }} {{ toString .s }}", { n: 0.25, s: "x" })).toBe(
      '"0.25" x',
    );
    expect(render('{{ .v | replace "$" "$$" }}', { v: "a$b$&" })).toBe("a$$b$$&");
  });

  it("refuses what Helm refuses", () => {
    expect(() => render("{{ if .a }}never closed")).toThrow("missing {{ end }} for {{ if }}");
    expect(() => render("{{ end }}")).toThrow("unexpected {{ end }}");
    expect(() => render("{{ .a | frobnicate }}")).toThrow('function "frobnicate" not defined');
    expect(() => render("{{ .a.b.c }}", { a: {} })).toThrow("nil pointer evaluating");
    expect(() => render("{{ eq .n 1 }}", { n: 1 })).toThrow("incompatible types");
    expect(() => render('{{ include "nowhere" . }}')).toThrow('no template "nowhere"');
  });
});
