import { parseEnv } from "@tidings/service";
import type { CompatContext } from "../compat-context.ts";
import { createFluxbaseEndpoint, FLUXBASE_PATH } from "./fluxbase-endpoint.ts";
import { fluxbaseEnv } from "./fluxbase-env.ts";

/**
 * Fluxbase's realtime API: `GET /realtime` upgraded to a WebSocket carrying table subscriptions,
 * presence and broadcast channels (docs/compat/fluxbase.md).
 */
export async function registerFluxbase(context: CompatContext): Promise<void> {
  const { TIDINGS_FLUXBASE_ENABLED: enabled } = parseEnv(fluxbaseEnv, context.env).values;
  if (!enabled) return;
  const { config, gateway, logger } = context;
  const compat = gateway.compatDeps();
  const endpoint = createFluxbaseEndpoint(
    {
      compat,
      tokens: context.tokens,
      presence: context.presence,
      broadcast: context.broadcast,
      access: context.access,
      roomsReady: compat.roomsReady,
      logger,
      limits: {
        maxMessagesPerMinute: config.maxMessagesPerMinute,
        slowConsumerBytes: config.slowConsumerBytes,
        idleTimeoutMs: config.idleTimeoutMs,
        jsonMaxDepth: config.jsonMaxDepth,
      },
    },
    { maxMessageBytes: config.maxMessageBytes },
  );
  context.upgrades.route((path) => path === FLUXBASE_PATH, endpoint.handle);
  // What Fluxbase answers a request that is not a WebSocket upgrade.
  context.app.get(FLUXBASE_PATH, async (_request, reply) =>
    reply.code(426).header("upgrade", "websocket").send({ error: "Upgrade Required" }),
  );
  const heartbeat = setInterval(() => endpoint.beat(), config.heartbeatMs).unref();
  gateway.onDrain(async () => {
    clearInterval(heartbeat);
    await endpoint.drain(config.shutdownDeadlineMs);
  });
}
