import type { TokenService } from "@tidings/auth";
import type { Logger } from "@tidings/service";
import type { FastifyInstance } from "fastify";
import type { BroadcastService } from "../broadcast/broadcast-service.ts";
import type { GatewayConfig } from "../config.ts";
import type { Gateway } from "../gateway.ts";
import type { ChannelAccess } from "../presence/channel-access.ts";
import type { PresenceService } from "../presence/presence-service.ts";
import type { UpgradeRouter } from "./upgrade-router.ts";

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
