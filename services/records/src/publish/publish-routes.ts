import type { PrismaClient } from "@tidings/db";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import { socketIdHeader } from "../records/record-routes.ts";
import { publishEvents } from "./publish-events.ts";
import type { ServiceAuth } from "./service-auth.ts";

/** What the internal HTTP API needs. */
export interface PublishRoutesDeps {
  prisma: PrismaClient;
  serviceAuth: ServiceAuth;
}

/**
 * `POST /internal/v1/publish`. Register it in its own scope, beside the records plugin: that
 * plugin's user-token hook must not run here, where only service tokens count.
 */
export async function publishRoutes(app: FastifyInstance, deps: PublishRoutesDeps): Promise<void> {
  // On request, before the body is read: an unauthenticated caller learns nothing about its body.
  app.addHook("onRequest", async (request) => deps.serviceAuth(request.headers.authorization));
  app.post("/internal/v1/publish", async (request, reply) => {
    const socketId = parseInput(
      socketIdHeader,
      request.headers["x-socket-id"],
      "X-Socket-Id header",
    );
    const result = await publishEvents(deps.prisma, request.body, { socketId, now: new Date() });
    return reply.status(202).send(result);
  });
}
