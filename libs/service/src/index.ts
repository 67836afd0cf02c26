export { Batcher, type BatcherOptions, coalesce, type FlushBatch } from "./batcher.ts";
export {
  type BusSettings,
  busEnv,
  busSettingsFrom,
  createBus,
  startBusPersistently,
} from "./bus-settings.ts";
export {
  ChangeCache,
  type ChangeCacheOptions,
  type ChangeNotices,
} from "./change-cache.ts";
export {
  CLIENTS_QUERY_TOPIC,
  type ClientInfo,
  type ClientsQuery,
  type ClientsReply,
  clientsQuerySchema,
  clientsReplySchema,
  MAX_CLIENTS_PER_GATEWAY,
} from "./client-notices.ts";
export { allowedOrigin, type CorsOrigins, corsEnv, registerCors } from "./cors.ts";
export { ConfigError, envValue, type ParsedEnv, parseEnv, redisPrefix } from "./env-config.ts";
export { registerErrorHandling, renderFrameworkError, toErrorBody } from "./error-handler.ts";
export {
  createLifecycle,
  type Lifecycle,
  type ReadinessCheck,
  registerHealthRoutes,
} from "./health.ts";
export { registerInputChecks } from "./input-checks.ts";
export { createLogger } from "./logger.ts";
export {
  type DatabaseConfig,
  loadNodeConfig,
  type NodeConfig,
  nodeConfigFrom,
  nodeEnv,
  nodeProblems,
} from "./node-config.ts";
export {
  createRedisClient,
  type RedisClient,
  type RedisRole,
  redisClusterOptions,
  redisConnectionOptions,
} from "./redis-client.ts";
export {
  parseRedisNode,
  type RedisNode,
  type RedisSettings,
  type RedisTls,
  redisEnv,
  redisSettingsFrom,
} from "./redis-settings.ts";
export { countRefusal, type LimitName } from "./refusals.ts";
export { REQUEST_ID_HEADER, registerRequestIdEcho, requestId } from "./request-id.ts";
export { registerRequestTelemetry } from "./request-telemetry.ts";
export {
  checkInput,
  DEFAULT_JSON_MAX_DEPTH,
  findUnsafeInput,
  jsonDepthEnv,
  type UnsafeInput,
} from "./safe-input.ts";
export { registerSecurityHeaders, SECURITY_HEADERS } from "./security-headers.ts";
export {
  exitOnSignals,
  type LifecycleLogger,
  type Logger,
  runShutdown,
  type ShutdownStep,
} from "./shutdown.ts";
export {
  loadAssetDir,
  PAGE_POLICY,
  type StaticAsset,
  sendAsset,
  sendPage,
  staticAsset,
} from "./static-asset.ts";
export {
  newProcessId,
  type StatusBeacon,
  type StatusBeaconOptions,
  startStatusBeacon,
} from "./status-beacon.ts";
export {
  DEFAULT_STATUS_INTERVAL_MS,
  decodeNotice,
  decodeStatusNotice,
  encodeNotice,
  type GoodbyeNotice,
  processIdSchema,
  type ServiceName,
  type ServiceStatus,
  STATUS_TOPIC,
  type StatusNotice,
} from "./status-notices.ts";
export { type FieldErrors, fieldErrors, parseInput } from "./validation.ts";
