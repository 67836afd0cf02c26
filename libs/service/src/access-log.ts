import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import { levels } from "pino";

/** The message of every access line, so they can be found among the others. */
export const ACCESS_MESSAGE = "request completed";

// Kubelets and load balancers probe every few seconds: at info they would be most of an idle
// node's log and hide the requests of clients.
const PROBE_ROUTES = new Set(["/healthz", "/readyz"]);

// Query parameters whose values are credentials (`token`, `access_token`, `auth`, `password`,
// `client_secret`, …): a log is read by more people than may use them.
const SECRET_NAME = /token|auth|password|secret/i;

/**
 * Writes the access line of a request whose response was sent, on the request's logger (which
 * carries its reqId): at debug for health probes, at info for everything else.
 */
export function writeAccessLine(request: FastifyRequest, reply: FastifyReply): void {
  const route = request.routeOptions.url;
  const level = route !== undefined && PROBE_ROUTES.has(route) ? "debug" : "info";
  // Nothing is built for a line the level drops.
  if (!enabled(request.log, level)) return;
  const length = reply.getHeader("content-length");
  request.log[level](
    {
      method: request.method,
      url: redactQuery(request.url),
      // Undefined (left out) when no route matched: a 404's path is in `url`.
      route,
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 100) / 100,
      contentLength: length === undefined ? undefined : Number(length),
      remoteAddress: request.ip,
    },
    ACCESS_MESSAGE,
  );
}

// Fastify's logger type leaves out pino's isLevelEnabled; its level names map as pino's do.
function enabled(log: FastifyBaseLogger, level: "debug" | "info"): boolean {
  return (levels.values[level] ?? 0) >= (levels.values[log.level] ?? Number.POSITIVE_INFINITY);
}

/** `url` with the value of every query parameter whose name mentions a credential replaced. */
export function redactQuery(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return url;
  const pairs = url
    .slice(start + 1)
    .split("&")
    .map((pair) => {
      const equals = pair.indexOf("=");
      if (equals === -1 || !SECRET_NAME.test(decodeName(pair.slice(0, equals)))) return pair;
      return `${pair.slice(0, equals)}=[Redacted]`;
    });
  return `${url.slice(0, start + 1)}${pairs.join("&")}`;
}

// `%74oken` is `token` to the server reading it, so it is to the redaction too.
function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replaceAll("+", " "));
  } catch {
    return name;
  }
}
