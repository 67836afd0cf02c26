import { type Bus, createJetStreamBus, createMemoryBus } from "@tidings/bus";
import { z } from "zod";
import { envValue } from "./env-config.ts";
import type { Logger } from "./shutdown.ts";

/** Environment variables of the event bus, read by every service. */
export const busEnv = {
  /** NATS server(s) with JetStream. Unset: the in-process bus (single node). */
  TIDINGS_NATS_URL: envValue.url(["nats:", "tls:", "ws:", "wss:"]),
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
  prefix: string;
  partitions: number;
  eventsMaxAgeMs: number;
  eventsMaxBytes: number;
}

/** The bus settings from parsed {@link busEnv} values. */
export function busSettingsFrom(values: z.infer<z.ZodObject<typeof busEnv>>): BusSettings {
  return {
    natsUrl: values.TIDINGS_NATS_URL,
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
    ? createJetStreamBus({ ...config, servers: settings.natsUrl }, { logger })
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
      logger.warn({ err: error, attempt }, "bus unreachable; retrying");
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
