import type { FastifyInstance } from "fastify";
import { writeAccessLine } from "./access-log.ts";
import { httpRequestRecorder } from "./http-metrics.ts";

/**
 * When each response has been sent: records the HTTP duration metric, names the request's server
 * span after its route and, when `accessLog` (TIDINGS_ACCESS_LOG), writes its access line.
 * Register on the root instance before any route, so every plugin's routes and the 404 handler
 * are covered. Socket.IO's transport requests and WebSocket upgrades never reach Fastify's
 * routes, and a hijacked reply (an SSE stream) has no onResponse: none of them is seen here.
 */
export function registerRequestTelemetry(
  app: FastifyInstance,
  options: { accessLog: boolean },
): void {
  const record = httpRequestRecorder();
  // A callback hook: an async one would allocate a promise per request for nothing.
  app.addHook("onResponse", (request, reply, done) => {
    record(request, reply);
    if (options.accessLog) writeAccessLine(request, reply);
    done();
  });
}
