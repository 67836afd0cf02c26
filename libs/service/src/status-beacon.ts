import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Bus } from "@tidings/bus";
import type { Logger } from "./shutdown.ts";
import {
  DEFAULT_STATUS_INTERVAL_MS,
  encodeNotice,
  type GoodbyeNotice,
  type ServiceName,
  type ServiceStatus,
  STATUS_TOPIC,
  type StatusNotice,
} from "./status-notices.ts";

/** A fresh id for a process running `service`: `<service>-<8 hex digits>`. */
export function newProcessId(service: ServiceName): string {
  return `${service}-${randomBytes(4).toString("hex")}`;
}

/** Options of {@link startStatusBeacon}. */
export interface StatusBeaconOptions {
  /** The process's id (see {@link newProcessId}). */
  id: string;
  /** Time between two heartbeats. @default DEFAULT_STATUS_INTERVAL_MS */
  intervalMs?: number;
  logger: Logger;
}

/** A running heartbeat. */
export interface StatusBeacon {
  /** Stops the heartbeats and says goodbye, so the process leaves every view at once. */
  stop(): void;
}

/**
 * Announces this process on the bus (`STATUS_TOPIC`) at once and then every `intervalMs`, with
 * what `status` reports (read afresh each time; a read that fails skips one beat). The next beat
 * is timed from the end of the previous one, so a slow read never piles beats up. The bus must be
 * running.
 */
export function startStatusBeacon(
  bus: Bus,
  status: () => ServiceStatus | Promise<ServiceStatus>,
  options: StatusBeaconOptions,
): StatusBeacon {
  const { id, logger } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
  const who = {
    v: 1,
    type: "status",
    id,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    intervalMs,
  } as const;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function beat(): Promise<void> {
    try {
      const notice: StatusNotice = { ...(await status()), ...who };
      if (!stopped) bus.notify(STATUS_TOPIC, encodeNotice(notice));
    } catch (error) {
      logger.warn({ err: error }, "status heartbeat skipped");
    }
    if (!stopped) timer = setTimeout(beat, intervalMs).unref();
  }
  void beat();

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      const goodbye: GoodbyeNotice = { v: 1, type: "goodbye", id };
      try {
        bus.notify(STATUS_TOPIC, encodeNotice(goodbye));
      } catch (error) {
        // The bus already stopped: the others forget this process after its missed beats.
        logger.debug({ err: error }, "status goodbye not sent");
      }
    },
  };
}
