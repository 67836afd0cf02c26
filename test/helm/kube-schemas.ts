import { fileURLToPath } from "node:url";
import { GRPCRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRoute";
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import ts from "typescript";
import type { Manifest } from "./chart.ts";

/**
 * The OpenAPI schemas of the kinds the chart may render: kubernetes-models ships Kubernetes
 * v1.36's own as validators (types, required fields, enums, formats such as quantities) and as
 * TypeScript types; @kubernetes-models/prometheus-operator and /gateway-api the same for the CRDs.
 * Each kind: the module of its model, and the model, whose type is `I<kind>` in that module.
 */
interface Model {
  validate(): void;
}
// The rendered objects are the models' data, unchecked: validate() is the check.
type ModelClass = new (data: never) => Model;

const KINDS: Record<string, [module: string, model: ModelClass]> = {
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", ConfigMap],
  "v1/Pod": ["kubernetes-models/v1/Pod", Pod],
  "v1/Secret": ["kubernetes-models/v1/Secret", Secret],
  "v1/Service": ["kubernetes-models/v1/Service", Service],
  "v1/ServiceAccount": ["kubernetes-models/v1/ServiceAccount", ServiceAccount],
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", Deployment],
  "apps/v1/StatefulSet": ["kubernetes-models/apps/v1/StatefulSet", StatefulSet],
  "autoscaling/v2/HorizontalPodAutoscaler": [
    "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
    HorizontalPodAutoscaler,
  ],
  "batch/v1/CronJob": ["kubernetes-models/batch/v1/CronJob", CronJob],
  "batch/v1/Job": ["kubernetes-models/batch/v1/Job", Job],
  "networking.k8s.io/v1/Ingress": ["kubernetes-models/networking.k8s.io/v1/Ingress", Ingress],
  "networking.k8s.io/v1/NetworkPolicy": [
    "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
    NetworkPolicy,
  ],
  "policy/v1/PodDisruptionBudget": [
    "kubernetes-models/policy/v1/PodDisruptionBudget",
    PodDisruptionBudget,
  ],
  "rbac.authorization.k8s.io/v1/Role": [
    "kubernetes-models/rbac.authorization.k8s.io/v1/Role",
    Role,
  ],
  "rbac.authorization.k8s.io/v1/RoleBinding": [
    "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding",
    RoleBinding,
  ],
  "monitoring.coreos.com/v1/PrometheusRule": [
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
    PrometheusRule,
  ],
  "monitoring.coreos.com/v1/ServiceMonitor": [
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
    ServiceMonitor,
  ],
  "gateway.networking.k8s.io/v1/GRPCRoute": [
    "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRoute",
    GRPCRoute,
  ],
  "gateway.networking.k8s.io/v1/HTTPRoute": [
    "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute",
    HTTPRoute,
  ],
};

/** The kinds with a schema here, as `apiVersion/kind`. */
export const VALIDATED_KINDS = Object.keys(KINDS);

const typeOf = (m: Manifest) => `${m.apiVersion}/${m.kind}`;
const nameOf = (m: Manifest) => `${m.kind} ${m.metadata?.name}`;

/**
 * Why the API server would refuse the object by its kind's OpenAPI schema; a kind without a
 * schema here is a problem too, so a new kind in the chart gets one.
 */
export function schemaProblems(manifest: Manifest): string[] {
  const kind = KINDS[typeOf(manifest)];
  if (!kind) return [`${nameOf(manifest)}: no schema for ${typeOf(manifest)} in kube-schemas.ts`];
  try {
    new kind[1](manifest as never).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (!errors) throw error;
    return errors.map((e) => `${nameOf(manifest)}: ${e.instancePath || "/"} ${e.message}`);
  }
}

// A file beside this one, so that the types resolve from test/node_modules and the root's.
const FILE = fileURLToPath(new URL("./kube-schemas.generated.ts", import.meta.url));
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

/**
 * Fields the API server does not know. Kubernetes' OpenAPI leaves its objects open, so the
 * schemas let a misspelt or misplaced field through, which the API server drops without a word
 * (or refuses, under kubectl's and Helm's strict field validation). The same schemas as
 * TypeScript types catch it: each object is written as a literal of its kind's type and
 * type-checked, whose excess-property check names the field (the first one of each object).
 * A second or two for a few dozen objects.
 */
export function unknownFieldProblems(manifests: Manifest[]): string[] {
  const typed = manifests.filter((m) => KINDS[typeOf(m)]);
  let source = typed
    .map((m, i) => `import type { I${m.kind} as T${i} } from "${KINDS[typeOf(m)]?.[0]}";\n`)
    .join("");
  const starts: number[] = [];
  typed.forEach((manifest, i) => {
    starts.push(source.length);
    source += `export const o${i}: T${i} = ${JSON.stringify(manifest, null, 1)};\n`;
  });
  const host = ts.createCompilerHost(OPTIONS);
  const { getSourceFile, fileExists } = host;
  host.getSourceFile = (name, ...rest) =>
    name === FILE
      ? ts.createSourceFile(name, source, OPTIONS.target ?? ts.ScriptTarget.ES2022)
      : getSourceFile.call(host, name, ...rest);
  host.fileExists = (name) => name === FILE || fileExists.call(host, name);
  const program = ts.createProgram([FILE], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(FILE)).map((d) => {
    const index = starts.findLastIndex((start) => start <= (d.start ?? 0));
    const owner = typed[index];
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    return owner ? `${nameOf(owner)}: ${message}` : message;
  });
}
