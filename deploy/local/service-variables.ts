import { evaluatorEnv } from "@tidings/evaluator";
import { gatewayEnv } from "@tidings/gateway";
import { recordsEnv } from "@tidings/records";
import { nodeEnv } from "@tidings/service";
import type { SERVICE_DIRS } from "./processes.ts";

/** Every `TIDINGS_*` variable each service's configuration schema reads. */
export const SERVICE_VARIABLES: Record<keyof typeof SERVICE_DIRS, ReadonlySet<string>> = {
  records: new Set(Object.keys(recordsEnv)),
  evaluator: new Set(Object.keys(evaluatorEnv)),
  // The gateway reads the variables every node shares and its own.
  gateway: new Set([...Object.keys(nodeEnv), ...Object.keys(gatewayEnv)]),
};

const ours = (name: string) => name.startsWith("TIDINGS_");

/**
 * `env` for `service`: the `TIDINGS_*` variables it reads (it would warn about the others) and
 * every other variable (NODE_OPTIONS and the like are Node's, not the service's).
 */
export function variablesFor(
  service: keyof typeof SERVICE_DIRS,
  env: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !ours(name) || SERVICE_VARIABLES[service].has(name)),
  );
}

/** `TIDINGS_*` variables of `env` that no service reads (a typo, or meant for something else). */
export function unreadVariables(env: Record<string, string>): string[] {
  const read = Object.values(SERVICE_VARIABLES);
  return Object.keys(env).filter(
    (name) => ours(name) && !read.some((variables) => variables.has(name)),
  );
}
