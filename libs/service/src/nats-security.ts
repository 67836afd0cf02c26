import { readFileSync } from "node:fs";
import type { NatsSecurity } from "@tidings/bus";
import { ConfigError } from "./env-config.ts";

/** The variables naming files of NATS credentials and TLS material. */
export const SECURITY_FILES = [
  "TIDINGS_NATS_CREDS_FILE",
  "TIDINGS_NATS_NKEY_SEED_FILE",
  "TIDINGS_NATS_TLS_CA_FILE",
  "TIDINGS_NATS_TLS_CERT_FILE",
  "TIDINGS_NATS_TLS_KEY_FILE",
] as const;

type NatsFileValues = { TIDINGS_NATS_URL?: string | undefined } & {
  [name in (typeof SECURITY_FILES)[number]]?: string | undefined;
};

/**
 * Reads the credential and TLS files named by the variables, so that a missing or unreadable file
 * stops the start with a ConfigError naming the variable (not a connection error later).
 */
export function natsSecurityFrom(values: NatsFileValues): NatsSecurity {
  const problems: string[] = [];
  const contents: Partial<Record<(typeof SECURITY_FILES)[number], Buffer>> = {};
  for (const name of SECURITY_FILES) {
    const path = values[name];
    if (path === undefined) continue;
    if (!values.TIDINGS_NATS_URL) {
      problems.push(`${name}: only used with TIDINGS_NATS_URL, which is unset`);
      continue;
    }
    try {
      contents[name] = readFileSync(path);
    } catch (error) {
      problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  if (values.TIDINGS_NATS_CREDS_FILE && values.TIDINGS_NATS_NKEY_SEED_FILE) {
    problems.push(
      "TIDINGS_NATS_NKEY_SEED_FILE: set it or TIDINGS_NATS_CREDS_FILE, not both (a .creds file holds its own seed)",
    );
  }
  if (Boolean(values.TIDINGS_NATS_TLS_CERT_FILE) !== Boolean(values.TIDINGS_NATS_TLS_KEY_FILE)) {
    problems.push("TIDINGS_NATS_TLS_CERT_FILE and TIDINGS_NATS_TLS_KEY_FILE: set both or neither");
  }
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
  const pem = (name: (typeof SECURITY_FILES)[number]) => contents[name]?.toString("utf8");
  const tls = {
    ...(contents.TIDINGS_NATS_TLS_CA_FILE ? { ca: pem("TIDINGS_NATS_TLS_CA_FILE") } : {}),
    ...(contents.TIDINGS_NATS_TLS_CERT_FILE ? { cert: pem("TIDINGS_NATS_TLS_CERT_FILE") } : {}),
    ...(contents.TIDINGS_NATS_TLS_KEY_FILE ? { key: pem("TIDINGS_NATS_TLS_KEY_FILE") } : {}),
  };
  return {
    ...(contents.TIDINGS_NATS_CREDS_FILE ? { creds: contents.TIDINGS_NATS_CREDS_FILE } : {}),
    ...(contents.TIDINGS_NATS_NKEY_SEED_FILE
      ? { nkeySeed: contents.TIDINGS_NATS_NKEY_SEED_FILE }
      : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}
