export { broadcastHandlers } from "./broadcast/broadcast-handlers.ts";
export {
  BROADCAST_EVENT,
  type BroadcastDeps,
  type BroadcastMessage,
  type BroadcastOptions,
  type BroadcastService,
  createBroadcastService,
} from "./broadcast/broadcast-service.ts";
export type { CompatContext } from "./compat/compat-context.ts";
export { compatEnv } from "./compat/compat-env.ts";
export {
  type ChangeSink,
  type CompatDeps,
  CompatSession,
  type CompatSubscription,
} from "./compat/compat-session.ts";
export type { PusherApp } from "./compat/pusher/pusher-env.ts";
export { registerCompatibility } from "./compat/register-compat.ts";
export {
  createUpgradeRouter,
  type UpgradeHandler,
  type UpgradeRouter,
} from "./compat/upgrade-router.ts";
export {
  isRealSocket,
  VirtualConnection,
  type VirtualListener,
} from "./compat/virtual-connection.ts";
export {
  DEFAULT_GATEWAY_CONFIG,
  type GatewayConfig,
  gatewayConfigFrom,
  gatewayEnv,
} from "./config.ts";
export { createGateway, type Gateway, type GatewayDeps } from "./gateway.ts";
export {
  type ChannelAccess,
  type ChannelAuthorizer,
  channelAccess,
} from "./presence/channel-access.ts";
export {
  CHANNEL_NAME,
  type ChannelKind,
  channelRoom,
  type RoomConnection,
} from "./presence/channels.ts";
export { MAX_META_BYTES, presenceHandlers } from "./presence/presence-handlers.ts";
export {
  createPresenceService,
  PRESENCE_EVENTS,
  type PresenceDeps,
  type PresenceDiff,
  type PresenceOptions,
  type PresenceService,
} from "./presence/presence-service.ts";
export type { PresenceMember, PresenceMeta } from "./presence/presence-store.ts";
export {
  type AnyMessageHandler,
  ERROR_EVENT,
  type MessageHandler,
} from "./realtime/message-router.ts";
export { createSocketServer, type SocketServer } from "./realtime/socket-server.ts";
export type { GatewayServer, GatewaySocket, SocketState } from "./realtime/socket-types.ts";
export { CONNECTION_EVENTS } from "./realtime/token-expiry.ts";
export { createRealtimeNode, type RealtimeNode } from "./realtime-node.ts";
export { type RunningGateway, startGateway } from "./start-gateway.ts";
export {
  type PlannedSubscription,
  planSubscription,
} from "./subscriptions/subscription-planner.ts";
