import type { TokenService } from "@tidings/auth";
import type { Logger } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import type { BroadcastService } from "../broadcast/broadcast-service.ts";
import type { GatewayConfig } from "../config.ts";
import type { Gateway } from "../gateway.ts";
import type { ChannelAccess } from "../presence/channel-access.ts";
import type { PresenceService } from "../presence/presence-service.ts";
import { registerFastSchema } from "./fastschema/register-fastschema.ts";
import { registerFluxbase } from "./fluxbase/register-fluxbase.ts";
import { registerPocketBase } from "./pocketbase/register-pocketbase.ts";
import type { UpgradeRouter } from "./upgrade-router.ts";
import { registerVeloPusher } from "./velo/register-velo-pusher.ts";

/** What a compatibility protocol is registered with. */
export interface CompatContext {
  app: FastifyInstance;
  gateway: Gateway;
  tokens: TokenService;
  presence: PresenceService;
  broadcast: BroadcastService;
  access: ChannelAccess;
  upgrades: UpgradeRouter;
  config: GatewayConfig;
  /** The environment, for each protocol's own settings (validated at start with the rest). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

/**
 * Registers the realtime protocols of other systems (PocketBase, FastSchema, Fluxbase, Pusher)
 * on a node, next to the Socket.IO protocol. Each is a transport over the same rooms and delivery
 * path; they must be registered before the app listens.
 */
export async function registerCompatibility(context: CompatContext): Promise<void> {
  await registerFastSchema(context);
  await registerFluxbase(context);
  await registerPocketBase(context);
  await registerVeloPusher(context);
}
