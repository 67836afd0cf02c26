import type { CompatContext } from "../compat-context.ts";
import { crossNodeUpdates } from "./cross-node-updates.ts";
import { PocketBaseClients } from "./pocketbase-clients.ts";
import { pocketbaseOptions } from "./pocketbase-env.ts";
import { registerRealtimeRoutes } from "./realtime-routes.ts";

/**
 * PocketBase's realtime API (`/api/realtime`, SSE), so that the `pocketbase` JS SDK subscribes
 * to Tidings unchanged. Streams close when the node drains, and the SDK reconnects elsewhere.
 */
export async function registerPocketBase(context: CompatContext): Promise<void> {
  const deps = context.gateway.compatDeps();
  const clients = new PocketBaseClients(deps, {
    ...pocketbaseOptions(context.env),
    maxBufferedBytes: context.config.slowConsumerBytes,
  });
  registerRealtimeRoutes(context.app, {
    clients,
    tokens: context.tokens,
    forward: context.config.redis ? crossNodeUpdates(deps.io, clients, deps.logger) : undefined,
  });
  context.gateway.onDrain(() => clients.drain());
}
