import { TidingsError } from "@tidings/protocol";
import type { FastifyInstance } from "fastify";
import { checkInput, findUnsafeInput } from "./safe-input.ts";

/**
 * Checks what every request carries before any route reads it (`preValidation`: after the body is
 * parsed, after `onRequest` authentication): a path parameter no stored name or id can contain
 * (U+0000, an unpaired surrogate) is `NOT_FOUND`, as any unknown id is; a body with such a string,
 * or nested deeper than `maxDepth`, is `VALIDATION_FAILED` naming the field. Register it on the
 * root instance before the routes, so every scope on the server checks alike; a scope whose
 * protocol answers in another form renders the error in its own error handler.
 */
export function registerInputChecks(app: FastifyInstance, maxDepth: number): void {
  app.addHook("preValidation", async (request) => {
    if (findUnsafeInput(request.params, 1)) throw new TidingsError("NOT_FOUND");
    if (request.body !== undefined) checkInput(request.body, maxDepth);
  });
}
