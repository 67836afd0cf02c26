import type { FastifyBaseLogger } from "fastify";
import { type DestinationStream, pino } from "pino";
import { prettyLogStream } from "./pretty-log-stream.ts";
import { mergeTraceLogFields, traceLogFields } from "./trace-log-fields.ts";

/**
 * A process's root logger at `level` (pino, as Fastify uses). Every line written inside an
 * OpenTelemetry span carries its trace_id and span_id. Lines go to `destination` as JSON, or by
 * default to stdout: readable lines on a terminal, JSON lines otherwise (a pipe, a file, a
 * container's log).
 */
export function createLogger(level: string, destination?: DestinationStream): FastifyBaseLogger {
  const options = { level, mixin: traceLogFields, mixinMergeStrategy: mergeTraceLogFields };
  if (destination) return pino(options, destination);
  return process.stdout.isTTY ? pino(options, prettyLogStream()) : pino(options);
}
