import type { FastifyInstance } from "fastify";

const FORM = "application/x-www-form-urlencoded";

/**
 * Teaches a plugin scope form-encoded bodies (as pusher-js posts channel authorizations), parsed
 * into a plain record of strings. Another protocol may have taught the app already.
 */
export function acceptFormBodies(scope: FastifyInstance): void {
  if (scope.hasContentTypeParser(FORM)) return;
  scope.addContentTypeParser(
    FORM,
    { parseAs: "string", bodyLimit: 16_384 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
}
