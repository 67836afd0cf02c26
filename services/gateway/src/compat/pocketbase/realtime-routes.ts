import { type TokenService, tokenFromHeader } from "@tidings/auth";
import { parseInput } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import type { ForwardUpdate } from "./cross-node-updates.ts";
import { missingClient } from "./pocketbase-client.ts";
import type { PocketBaseClients } from "./pocketbase-clients.ts";
import { realtimeBody } from "./topics.ts";

/**
 * PocketBase's realtime API. `GET /api/realtime` opens an SSE stream (no auth: EventSource sends
 * no headers) whose first event, `PB_CONNECT`, gives the client id. `POST /api/realtime`
 * `{clientId, subscriptions}` replaces that client's topics under the POST's `Authorization`
 * (raw token or `Bearer`), and answers 204.
 */
export function registerRealtimeRoutes(
  app: FastifyInstance,
  deps: { clients: PocketBaseClients; tokens: TokenService; forward: ForwardUpdate | undefined },
): void {
  // A HEAD would open a stream that never sends anything: only GET opens one.
  app.get("/api/realtime", { exposeHeadRoute: false }, async (request, reply) => {
    const client = await deps.clients.connect(request.ip);
    // The stream is written straight to the socket: Fastify must neither buffer nor end it.
    // Headers set by hooks (CORS) are carried over, as Fastify would have sent them.
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) reply.raw.setHeader(name, value);
    reply.hijack();
    client.attach(reply.raw);
  });

  app.post("/api/realtime", async (request, reply) => {
    const body = parseInput(realtimeBody, request.body);
    const token = tokenFromHeader(request.headers.authorization);
    const auth = token ? (await deps.tokens.verify(token)).user : null;
    const update = { auth, token: token ?? null, ip: request.ip, topics: body.subscriptions ?? [] };
    const client = deps.clients.get(body.clientId);
    if (client) await client.update(update);
    else if (deps.forward) await deps.forward(body.clientId, update);
    else throw missingClient();
    return reply.status(204).send();
  });
}
