import type { FastifyBaseLogger } from "fastify";
import { pino } from "pino";

/** A process's root logger: JSON lines on stdout at `level` (pino, as Fastify uses). */
export function createLogger(level: string): FastifyBaseLogger {
  return pino({ level });
}
