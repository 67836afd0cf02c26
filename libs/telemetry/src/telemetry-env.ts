import { z } from "zod";

/**
 * The one Tidings variable of telemetry; everything else is OpenTelemetry's own `OTEL_*`
 * variables. Each service's env schema includes it, so a typo is reported like any other.
 */
export const telemetryEnv = {
  /**
   * Port of the Prometheus `/metrics` listener; 0 (the default) serves none. Off by default: a
   * fixed port collides when several processes share a host (`npm run cluster`, tests), and an
   * unauthenticated listener should not open unasked. The Helm chart turns it on.
   */
  TIDINGS_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
};

/** The metrics port `env` asks for (0: none); throws naming the variable when it is not a port. */
export function metricsPortFrom(env: NodeJS.ProcessEnv): number {
  const parsed = telemetryEnv.TIDINGS_METRICS_PORT.safeParse(env.TIDINGS_METRICS_PORT);
  if (!parsed.success)
    throw new Error(`TIDINGS_METRICS_PORT: must be a port number (0 turns /metrics off)`);
  return parsed.data;
}
