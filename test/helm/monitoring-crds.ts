import Ajv from "ajv";
import type { Manifest } from "./chart.ts";

/**
 * The fields of the Prometheus operator's monitoring.coreos.com/v1 CRDs that the chart writes,
 * with the types and patterns of their OpenAPI schemas (prometheus-operator's
 * example/prometheus-operator-crd/, v0.8x). The API server prunes a field it does not know without
 * a word, so a misspelt one would silently do nothing: here every object refuses unknown fields.
 */
const DURATION = {
  type: "string",
  pattern:
    "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$",
};
const STRING_MAP = { type: "object", additionalProperties: { type: "string" } };

const closed = (properties: object, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

const SERVICE_MONITOR = closed(
  {
    selector: closed({ matchLabels: STRING_MAP }),
    namespaceSelector: closed({
      any: { type: "boolean" },
      matchNames: { type: "array", items: { type: "string" } },
    }),
    jobLabel: { type: "string" },
    endpoints: {
      type: "array",
      minItems: 1,
      items: closed({
        port: { type: "string" },
        path: { type: "string" },
        interval: DURATION,
        scrapeTimeout: DURATION,
      }),
    },
  },
  ["selector", "endpoints"],
);

const PROMETHEUS_RULE = closed(
  {
    groups: {
      type: "array",
      items: closed(
        {
          name: { type: "string", minLength: 1 },
          interval: DURATION,
          rules: {
            type: "array",
            items: closed(
              {
                alert: { type: "string", minLength: 1 },
                expr: { type: "string", minLength: 1 },
                for: DURATION,
                labels: STRING_MAP,
                annotations: STRING_MAP,
              },
              ["alert", "expr"],
            ),
          },
        },
        ["name"],
      ),
    },
  },
  ["groups"],
);

const ajv = new Ajv({ allErrors: true });
const SPECS: Record<string, ReturnType<typeof ajv.compile>> = {
  ServiceMonitor: ajv.compile(SERVICE_MONITOR),
  PrometheusRule: ajv.compile(PROMETHEUS_RULE),
};

/** Why the API server (or the operator) would refuse or ignore part of a monitoring object. */
export function monitoringProblems(manifest: Manifest & { spec?: unknown }): string[] {
  const validate = SPECS[manifest.kind];
  if (!validate) return [`${manifest.kind} is not a monitoring kind`];
  const problems: string[] = [];
  if (manifest.apiVersion !== "monitoring.coreos.com/v1")
    problems.push(`apiVersion ${manifest.apiVersion}`);
  if (!validate(manifest.spec))
    for (const error of validate.errors ?? [])
      problems.push(`spec${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
  return problems.map((problem) => `${manifest.kind} ${manifest.metadata.name}: ${problem}`);
}

// Kubernetes' validation of object metadata (apimachinery's IsDNS1123Subdomain, IsQualifiedName,
// IsValidLabelValue), which applies to custom resources as to every other kind.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function qualifiedName(key: string): boolean {
  const [prefix, name, ...rest] = key.includes("/") ? key.split("/") : ["", key];
  if (rest.length > 0 || name === undefined || name.length > 63 || !NAME_PART.test(name))
    return false;
  return (
    prefix === "" || (prefix !== undefined && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))
  );
}

/** Why the API server would refuse an object's name, namespace or labels. */
export function metadataProblems(manifest: Manifest): string[] {
  const { name, namespace, labels = {} } = manifest.metadata;
  const problems: string[] = [];
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) problems.push("name");
  // A Service's name is also a DNS label of its own (IsDNS1035Label).
  if (
    manifest.kind === "Service" &&
    (name.length > 63 || !/^[a-z]/.test(name) || !DNS_LABEL.test(name))
  )
    problems.push("Service name");
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace)))
    problems.push(`namespace ${namespace}`);
  for (const [key, value] of Object.entries(labels)) {
    if (!qualifiedName(key)) problems.push(`label key ${key}`);
    if (typeof value !== "string" || value.length > 63 || (value !== "" && !NAME_PART.test(value)))
      problems.push(`label ${key}: ${JSON.stringify(value)}`);
  }
  return problems.map((problem) => `${manifest.kind} ${name}: ${problem}`);
}
