import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { CHART_DIR, loadChart, mergeValues, ROOT, renderChart, type Values } from "./chart.ts";
import { COMPONENTS, EVERYTHING } from "./fixtures.ts";
import { containerEnv, forComponent, onlyContainer, renderedSecrets } from "./kube.ts";
import { LEFT_UNSET, SERVICE_CONFIG } from "./service-config.ts";
import { TemplateSet } from "./template-render.ts";

const chart = loadChart();
const schema = JSON.parse(readFileSync(new URL("values.schema.json", CHART_DIR), "utf8"));
// Helm validates the merged values against values.schema.json (draft 7, Ajv's default draft).
const validate = new Ajv({ allErrors: true }).compile(schema);

function errorsFor(overrides: Values): string[] {
  validate(mergeValues(chart.values, overrides));
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The names values.schema.json allows in `<component>.env`. */
function allowedExtras(component: string): string[] {
  return schema.properties[component].properties.env.propertyNames.enum;
}

describe("Chart.yaml", () => {
  it("is a v2 application chart named after its folder, versioned like the project", () => {
    const project = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8"));
    expect(chart.meta.apiVersion).toBe("v2");
    expect(chart.meta.name).toBe("tidings");
    expect(chart.meta.type).toBe("application");
    expect(chart.meta.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(chart.meta.appVersion).toBe(project.version);
  });
});

describe("values.yaml", () => {
  it("passes values.schema.json, as helm install checks", () => {
    expect(errorsFor({})).toEqual([]);
    expect(errorsFor(EVERYTHING)).toEqual([]);
  });

  it("is refused with a variable no service reads, or one of another service", () => {
    expect(errorsFor({ records: { env: { TIDINGS_BODY_LIMT: "1" } } })).toContain(
      "/records/env must be equal to one of the allowed values",
    );
    expect(errorsFor({ records: { env: { TIDINGS_EVALUATOR_BATCH_SIZE: "1" } } })).toContain(
      "/records/env must be equal to one of the allowed values",
    );
    expect(errorsFor({ gateway: { env: { TIDINGS_MAX_MESSAGE_BYTES: 1024 } } })).toContain(
      "/gateway/env/TIDINGS_MAX_MESSAGE_BYTES must be string",
    );
  });

  it("is refused with values the services would refuse at start", () => {
    const paths = (overrides: Values) => errorsFor(overrides).map((e) => e.split(" ")[0]);
    expect(paths({ nats: { partitions: 0 } })).toContain("/nats/partitions");
    expect(paths({ redis: { prefix: "9lives" } })).toContain("/redis/prefix");
    expect(paths({ auth: { jwtSecret: "short" } })).toContain("/auth/jwtSecret");
    expect(paths({ postgresql: { url: "mysql://db/tidings" } })).toContain("/postgresql/url");
    expect(paths({ gateway: { replica: 3 } })).toContain("/gateway");
  });

  it("holds every .Values path the templates read", () => {
    const missing: string[] = [];
    for (const [file, source] of chart.templates) {
      for (const [, path = ""] of source.matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) {
        let value: unknown = chart.values;
        for (const key of path.slice(1).split(".")) value = (value as Values | undefined)?.[key];
        if (value === undefined) missing.push(`${file}: .Values${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("templates", () => {
  it("parse, with an {{ end }} for every if, range, with and define", () => {
    for (const [file, source] of chart.templates)
      expect(() => new TemplateSet().add(file, source), file).not.toThrow();
  });
});

describe("each service's variables", () => {
  const rendered = renderChart(chart, EVERYTHING);
  const secrets = renderedSecrets(rendered.manifests);

  it.each(COMPONENTS)(
    "%s: are set by the chart, allowed in its env, or left unset on purpose",
    (component) => {
      const container = onlyContainer(forComponent(rendered.manifests, "Deployment", component));
      const set = Object.keys(containerEnv(rendered.manifests, container, secrets));
      const extras = allowedExtras(component);
      const unset = Object.keys(LEFT_UNSET[component]);
      // Three disjoint groups that together are exactly what the service reads.
      expect([...set, ...extras, ...unset].sort()).toEqual(
        [...SERVICE_CONFIG[component].variables].sort(),
      );
    },
  );
});
