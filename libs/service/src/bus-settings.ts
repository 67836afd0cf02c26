import {
  type Bus,
  BusConfigError,
  createJetStreamBus,
  createMemoryBus,
  type NatsSecurity,
} from "@tidings/bus";
import { z } from "zod";
import { envValue } from "./env-config.ts";
import { natsSecurityFrom } from "./nats-security.ts";
import type { Logger } from "./shutdown.ts";

/** Environment variables of the event bus, read by every service. */
export const busEnv = {
  /**
   * NATS server(s) with JetStream. Unset: the in-process bus (single node). `user:password@` or
   * `token@` in it authenticate; `tls://` asks for TLS.
   */
  TIDINGS_NATS_URL: envValue.url(["nats:", "tls:", "ws:", "wss:"]),
  /** JetStream replicas of every stream the bus creates or updates: 1 on a single server, 3 (or 5) in a cluster. */
  TIDINGS_NATS_REPLICAS: envValue.int(1, 1, 5),
  /** A `.creds` file (user JWT and nkey seed, as `nsc` issues them) to authenticate with. */
  TIDINGS_NATS_CREDS_FILE: z.string().min(1).optional(),
  /** A file holding the nkey seed (`SU…`) of a user the server lists by public key. */
  TIDINGS_NATS_NKEY_SEED_FILE: z.string().min(1).optional(),
  /** PEM file of the CA that signed the NATS servers' certificates; setting any TLS file requires TLS. */
  TIDINGS_NATS_TLS_CA_FILE: z.string().min(1).optional(),
  /** PEM client certificate, for servers that verify clients (mutual TLS); with the key file. */
  TIDINGS_NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  /** PEM private key of the client certificate. */
  TIDINGS_NATS_TLS_KEY_FILE: z.string().min(1).optional(),
  /** Prefix of subjects and stream names, so deployments can share a NATS server. */
  TIDINGS_NATS_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_-]{0,31}$/,
      "letters, digits, _ and -, starting with a letter (max 32)",
    )
    .default("tidings"),
  /** Event partitions (collections are spread over them); every service must agree. */
  TIDINGS_PARTITIONS: envValue.int(8, 1, 1024),
  /** How long change events stay replayable for clients that resume, in seconds. */
  TIDINGS_RESUME_RETENTION: envValue.int(86_400, 60, 30 * 86_400),
  /** Most bytes of change events kept for resuming; the oldest go first. */
  TIDINGS_RESUME_MAX_BYTES: envValue.int(1_073_741_824, 1_048_576, 1_099_511_627_776),
};

/** How to reach the bus. */
export interface BusSettings {
  natsUrl: string | undefined;
  /** Replicas of each JetStream stream. */
  replicas: number;
  /** Credentials and TLS material, read from their files at start. */
  security: NatsSecurity;
  prefix: string;
  partitions: number;
  eventsMaxAgeMs: number;
  eventsMaxBytes: number;
}

type BusValues = z.infer<z.ZodObject<typeof busEnv>>;

/** The bus settings from parsed {@link busEnv} values; reads the NATS credential and TLS files. */
export function busSettingsFrom(values: BusValues): BusSettings {
  return {
    natsUrl: values.TIDINGS_NATS_URL,
    replicas: values.TIDINGS_NATS_REPLICAS,
    security: natsSecurityFrom(values),
    prefix: values.TIDINGS_NATS_PREFIX,
    partitions: values.TIDINGS_PARTITIONS,
    eventsMaxAgeMs: values.TIDINGS_RESUME_RETENTION * 1000,
    eventsMaxBytes: values.TIDINGS_RESUME_MAX_BYTES,
  };
}

/** JetStream when a NATS URL is set, otherwise the in-process bus. Not started. */
export function createBus(settings: BusSettings, logger: Logger): Bus {
  const config = {
    prefix: settings.prefix,
    partitions: settings.partitions,
    retention: { events: { maxAgeMs: settings.eventsMaxAgeMs, maxBytes: settings.eventsMaxBytes } },
  };
  return settings.natsUrl
    ? createJetStreamBus(
        {
          ...config,
          servers: settings.natsUrl,
          replicas: settings.replicas,
          security: settings.security,
        },
        { logger },
      )
    : createMemoryBus(config, { logger });
}

/**
 * Starts the bus, trying again with growing delays (up to 5 s) while the server is unreachable,
 * so a service can start, and accept writes, while NATS is down. Resolves once started, or when
 * `signal` aborts (then a start that completes late is undone).
 */
export async function startBusPersistently(
  bus: Bus,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt += 1) {
    try {
      await bus.start();
      if (signal.aborted) await bus.stop();
      return;
    } catch (error) {
      // A refused configuration (say, more stream replicas than the cluster has servers) is an
      // error to fix, not an outage; it is tried again all the same, in case the servers change.
      if (error instanceof BusConfigError)
        logger.error({ err: error, attempt }, "bus refused its configuration; retrying");
      else logger.warn({ err: error, attempt }, "bus unreachable; retrying");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt));
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
