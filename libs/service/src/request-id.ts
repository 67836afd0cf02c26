import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";

/** The header a request's id comes in on (from a proxy or a caller) and goes back out on. */
export const REQUEST_ID_HEADER = "x-request-id";

// Printable ASCII without spaces, as proxies generate them; anything else could forge log lines.
const USABLE = /^[\x21-\x7e]{1,128}$/;

/**
 * Fastify's `genReqId`: the caller's `X-Request-Id` when it is usable, a random UUID otherwise.
 * Use with `requestIdHeader: false`, which would otherwise take the header unchecked.
 */
export function requestId(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === "string" && USABLE.test(given) ? given : randomUUID();
}

/** Returns each request's id to the caller, so a client's report can name the log lines. */
export function registerRequestIdEcho(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
