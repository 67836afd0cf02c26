import { evaluatorEnv, loadEvaluatorConfig } from "@tidings/evaluator";
import { gatewayConfigFrom, gatewayEnv } from "@tidings/gateway";
import { SERVICE_VARIABLES } from "@tidings/local-cluster";
import { loadConfig, recordsEnv } from "@tidings/records";
import { loadNodeConfig, nodeEnv, parseEnv } from "@tidings/service";
import type { Component } from "./fixtures.ts";

interface LoadedConfig {
  host: string;
  port: number;
  unknownVariables: string[];
}

interface ServiceConfig {
  /** Every variable the service's configuration schema reads. */
  variables: string[];
  /** The service's own loader, called as its main.ts calls it; throws on a bad variable. */
  load(env: NodeJS.ProcessEnv): LoadedConfig;
  /** Each variable's default, as the schema gives it. */
  defaults: Record<string, unknown>;
}

export const SERVICE_CONFIG: Record<Component, ServiceConfig> = {
  records: {
    variables: [...SERVICE_VARIABLES.records],
    load: (env) => loadConfig(env),
    defaults: parseEnv(recordsEnv, {}).values,
  },
  evaluator: {
    variables: [...SERVICE_VARIABLES.evaluator],
    load: (env) => loadEvaluatorConfig(env),
    defaults: parseEnv(evaluatorEnv, {}).values,
  },
  gateway: {
    variables: [...SERVICE_VARIABLES.gateway],
    load: (env) => {
      const base = loadNodeConfig(env, gatewayEnv);
      gatewayConfigFrom(parseEnv(gatewayEnv, env).values);
      return base;
    },
    defaults: { ...parseEnv(nodeEnv, {}).values, ...parseEnv(gatewayEnv, {}).values },
  },
};

/**
 * Variables a service reads that the chart leaves unset on purpose. A new variable in a service's
 * schema must be set by the chart, allowed in `<component>.env`, or listed here.
 */
export const LEFT_UNSET: Record<Component, Record<string, string>> = {
  records: {
    TIDINGS_DATA_DIR: "only for PGlite and a generated JWT secret; the chart sets both instead",
  },
  evaluator: {},
  gateway: {
    TIDINGS_DATA_DIR: "only for PGlite and a generated JWT secret; the chart sets both instead",
  },
};

/** The downward API's variables the chart adds for OTEL_RESOURCE_ATTRIBUTES to refer to. */
export const DOWNWARD_API_VARIABLES = ["POD_NAME", "POD_NAMESPACE"];

/**
 * Whether a pod's variable is read by the OpenTelemetry SDK the service starts (libs/telemetry)
 * rather than by its TIDINGS_* configuration: the OTEL_* variables and the downward API's, which
 * are there for OTEL_RESOURCE_ATTRIBUTES. Not the config loaders' business: they report unknown
 * TIDINGS_* names only, which is why the downward API's are not TIDINGS_* names.
 */
export function readByOpenTelemetry(name: string): boolean {
  return name.startsWith("OTEL_") || DOWNWARD_API_VARIABLES.includes(name);
}
