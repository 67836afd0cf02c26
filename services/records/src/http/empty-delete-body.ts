import type { FastifyInstance } from "fastify";

/**
 * A DELETE carries no body, but some clients (the `pocketbase` SDK among them) send one with
 * `Content-Type: application/json` and nothing in it, which Fastify would refuse as invalid JSON.
 * Such a request is handled as the bodiless request it is.
 */
export function acceptEmptyDeleteBodies(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const headers = request.headers;
    const empty =
      headers["transfer-encoding"] === undefined &&
      (headers["content-length"] === undefined || headers["content-length"] === "0");
    if (request.method === "DELETE" && empty) delete headers["content-type"];
  });
}
