import { isDatabaseUnavailable } from "@tidings/db";
import { type ErrorBody, errorBody, TidingsError } from "@tidings/protocol";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

// Fastify's own request errors, in the project's codes.
const FASTIFY_CODES: Record<string, Parameters<typeof errorBody>[0]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "INVALID_JSON",
};

/**
 * Maps any thrown value to the wire error body: a database that cannot be reached is `UNAVAILABLE`
 * (retry); unknown errors become `INTERNAL`, unexplained.
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof TidingsError) return error.toBody();
  if (isDatabaseUnavailable(error))
    return errorBody("UNAVAILABLE", "The database cannot be reached right now; retry.");
  const fastifyError = error as Partial<FastifyError>;
  const code = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (code) return errorBody(code);
  if (fastifyError.statusCode === 413) return errorBody("PAYLOAD_TOO_LARGE");
  if (fastifyError.statusCode === 415) return errorBody("UNSUPPORTED_MEDIA_TYPE");
  if (error instanceof SyntaxError && fastifyError.statusCode === 400)
    return errorBody("INVALID_JSON");
  if (fastifyError.statusCode === 429) return errorBody("RATE_LIMITED");
  return errorBody("INTERNAL");
}

/**
 * Every error leaves as `{status, code, message, data}`; stack traces and internal messages stay in
 * the log. Unknown routes are `NOT_FOUND`.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const body = toErrorBody(error);
    if (body.status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.debug({ err: error, code: body.code }, "request refused");
    return reply.status(body.status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = errorBody(
      "NOT_FOUND",
      `No route for ${request.method} ${request.url.split("?")[0]}.`,
    );
    return reply.status(404).send(body);
  });
}

/**
 * Fastify's `frameworkErrors` option: errors raised before routing, in the project's shape. A
 * path whose percent-encoding is not UTF-8 (`%ED%A0%80`, a lone surrogate) names no route,
 * collection or record: `NOT_FOUND`, like a path id with U+0000 in it.
 */
export function renderFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const body =
    error.code === "FST_ERR_BAD_URL"
      ? errorBody("NOT_FOUND", "No route for a path that is not valid UTF-8.")
      : toErrorBody(error);
  void reply.status(body.status).send(body);
}
