import { type Attributes, trace } from "@opentelemetry/api";
import { histogramOf, METRICS } from "@tidings/telemetry";
import type { FastifyReply, FastifyRequest } from "fastify";

// The methods the semantic conventions name; any other becomes `_OTHER`, so a client sending
// made-up methods cannot create series without bound.
const KNOWN_METHODS = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "TRACE",
]);

/**
 * What the HTTP metric and trace learn from a sent response. The instrument is made now, from the
 * MeterProvider registered at this point (none: a no-op).
 */
export function httpRequestRecorder(): (request: FastifyRequest, reply: FastifyReply) => void {
  const duration = histogramOf(METRICS.httpDuration);
  return (request, reply) => {
    const method = KNOWN_METHODS.has(request.method) ? request.method : "_OTHER";
    const attributes: Attributes = {
      "http.request.method": method,
      "http.response.status_code": reply.statusCode,
    };
    // No route for a 404: its path would make a series per URL anybody tries.
    const route = request.routeOptions.url;
    if (route !== undefined) {
      attributes["http.route"] = route;
      nameServerSpan(method, route);
    }
    duration.record(reply.elapsedTime / 1_000, attributes);
  };
}

// The HTTP instrumentation starts the request's server span before routing, so it knows neither
// the route nor the name the conventions give that span (`GET /api/collections/:collection`); the
// span is still open here (it ends when the response closes, after Fastify's onResponse).
function nameServerSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.setAttribute("http.route", route);
  span.updateName(`${method} ${route}`);
}
