import { parseEnv } from "@tidings/service";
import type { CompatContext } from "../compat-context.ts";
import { registerAuthEndpoint } from "./auth-endpoint.ts";
import type { ChannelProvider } from "./channel-provider.ts";
import { type PusherSettings, pusherEnv, pusherSettingsFrom } from "./pusher-env.ts";
import { createPusherServer } from "./pusher-server.ts";

/**
 * Pusher protocol 7 on a node: `/app/{key}` WebSockets for pusher-js and Laravel Echo, and the
 * channel authorization endpoint. `providers` serve private channels with a server-side meaning.
 */
export async function registerPusher(
  context: CompatContext,
  providers: readonly ChannelProvider[] = [],
): Promise<PusherSettings> {
  const { app, gateway, tokens, presence, broadcast, access, upgrades, config, logger } = context;
  const settings = pusherSettingsFrom(parseEnv(pusherEnv, context.env).values);
  const server = createPusherServer(upgrades, {
    compat: gateway.compatDeps(),
    tokens,
    presence,
    broadcast,
    providers,
    settings,
    maxMessagesPerMinute: config.maxMessagesPerMinute,
    maxMessageBytes: config.maxMessageBytes,
    slowConsumerBytes: config.slowConsumerBytes,
    jsonMaxDepth: config.jsonMaxDepth,
    logger,
  });
  gateway.onDrain(() => server.drain());
  await registerAuthEndpoint(app, { apps: settings.apps, tokens, access, providers, logger });
  return settings;
}
