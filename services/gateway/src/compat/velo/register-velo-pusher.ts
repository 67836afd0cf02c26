import { parseEnv } from "@tidings/service";
import type { CompatContext } from "../compat-context.ts";
import { registerPusher } from "../pusher/register-pusher.ts";
import { VeloChannels } from "./velo-channels.ts";
import { veloEnv, veloSettingsFrom } from "./velo-env.ts";
import { veloProvider } from "./velo-provider.ts";
import { registerVeloRoutes } from "./velo-routes.ts";

/**
 * Velo's realtime model on Pusher protocol 7: `POST /api/realtime/subscribe` issues channels,
 * Laravel Echo (pusher-js) subscribes to them on `/app/{key}` and receives the collection's
 * changes; plain public, private and presence channels work as on any Pusher server.
 */
export async function registerVeloPusher(context: CompatContext): Promise<void> {
  const settings = veloSettingsFrom(parseEnv(veloEnv, context.env).values);
  const { prisma, collections } = context.gateway.compatDeps();
  const channels = new VeloChannels(prisma, settings);
  await registerPusher(context, [veloProvider(prisma, context.tokens, channels, settings)]);
  await registerVeloRoutes(context.app, { collections, tokens: context.tokens, channels });
}
