import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Manifest } from "./chart.ts";
import type { Component } from "./fixtures.ts";
import {
  type Container,
  containerEnv,
  type Deployment,
  forComponent,
  mountedFile,
  onlyContainer,
  renderedSecrets,
} from "./kube.ts";

/** The data of the Secrets of the user's that the fixtures name. */
export const USER_SECRETS: Record<string, Record<string, string>> = {
  "tidings-credentials": {
    TIDINGS_DATABASE_URL: "postgres://db/tidings",
    TIDINGS_NATS_URL: "nats://nats:4222",
    TIDINGS_REDIS_URL: "redis://redis:6379",
    TIDINGS_JWT_SECRET: "a-jwt-secret-of-at-least-32-characters",
  },
  "tidings-db-owner": { uri: "postgres://owner:pw@db/tidings" },
  "more-settings": {},
  "otel-auth": { OTEL_EXPORTER_OTLP_HEADERS: "api-key=1234" },
};

// What a certificate, key, seed or .creds file holds as far as the config loaders look: they read
// the files at start (a missing one stops the process) and check PEM files for a PEM header.
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
let folder: string | undefined;

export interface Started {
  deployment: Deployment;
  container: Container;
  /** The environment as the kubelet builds it, file paths moved to local stand-ins. */
  env: Record<string, string>;
  /** The variables naming mounted files, with the Secret or ConfigMap key each file holds. */
  files: Record<string, NonNullable<ReturnType<typeof mountedFile>>>;
}

/**
 * A component's container and the environment it would start with, as its config loader can read
 * it here: every variable whose value is a file mounted from a Secret or ConfigMap points at a local
 * file with PEM-looking content instead. Secrets the chart does not render: `userSecrets`.
 */
export function startedEnv(
  manifests: Manifest[],
  component: Component,
  userSecrets: Record<string, Record<string, string>> = USER_SECRETS,
): Started {
  const deployment = forComponent<Deployment>(manifests, "Deployment", component);
  const container = onlyContainer(deployment);
  const secrets = { ...userSecrets, ...renderedSecrets(manifests) };
  const env = containerEnv(manifests, container, secrets);
  const files: Started["files"] = {};
  for (const [name, value] of Object.entries(env)) {
    const file = mountedFile(deployment.spec.template.spec, container, value);
    if (!file) continue;
    files[name] = file;
    folder ??= mkdtempSync(join(tmpdir(), "tidings-mounted-"));
    const local = join(folder, name);
    writeFileSync(local, PEM);
    env[name] = local;
  }
  return { deployment, container, env, files };
}
