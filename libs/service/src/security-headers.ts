import type { FastifyInstance } from "fastify";

/**
 * Headers every HTTP answer of `app` carries, errors included: browsers must not guess a JSON
 * answer to be HTML or script (`nosniff`), not send the API's URLs (tokens may sit in a query) on
 * to other sites, and not show its pages inside another site's frame.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/** Adds {@link SECURITY_HEADERS} to every answer of `app`. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onRequest", async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
}
