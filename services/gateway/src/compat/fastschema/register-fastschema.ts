import { parseEnv } from "@tidings/service";
import type { CompatContext } from "../compat-context.ts";
import { createContentEndpoint } from "./content-endpoint.ts";
import { CONTENT_PATH } from "./content-query.ts";
import { fastschemaEnv } from "./fastschema-env.ts";

/**
 * FastSchema's realtime API: `GET /api/realtime/content?schema=&event=&id=&select=&filter=`
 * upgraded to a WebSocket that streams one subscription's changes (docs/compat/fastschema.md).
 */
export async function registerFastSchema(context: CompatContext): Promise<void> {
  const { TIDINGS_FASTSCHEMA_ENABLED: enabled } = parseEnv(fastschemaEnv, context.env).values;
  if (!enabled) return;
  const { config, gateway, logger } = context;
  const endpoint = createContentEndpoint(
    { compat: gateway.compatDeps(), tokens: context.tokens, logger },
    {
      maxMessageBytes: config.maxMessageBytes,
      maxMessagesPerMinute: config.maxMessagesPerMinute,
      slowConsumerBytes: config.slowConsumerBytes,
      idleTimeoutMs: config.idleTimeoutMs,
    },
  );
  context.upgrades.route((path) => path === CONTENT_PATH, endpoint.handle);
  // What FastSchema answers a request that is not a WebSocket upgrade.
  context.app.get(CONTENT_PATH, async (_request, reply) =>
    reply.code(426).header("upgrade", "websocket").type("text/plain").send("Upgrade Required"),
  );
  const heartbeat = setInterval(() => endpoint.beat(), config.heartbeatMs).unref();
  gateway.onDrain(async () => {
    clearInterval(heartbeat);
    await endpoint.drain(config.shutdownDeadlineMs);
  });
}
