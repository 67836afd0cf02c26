export { CHROMIUM_PATH, launchChromium } from "./chromium.ts";
export { freePort } from "./local-servers.ts";
export {
  jetStreamApi,
  type NatsServerProcess,
  startNatsServer,
  TEST_NATS_URL,
  type TestNats,
  withNats,
} from "./nats.ts";
export { TEST_POSTGRES_ADMIN_URL, type TestDatabase, withPostgres } from "./postgres.ts";
export {
  type PostgresServerProcess,
  postgresBinaries,
  startPostgresServer,
} from "./postgres-server.ts";
export {
  type RedisServerProcess,
  startRedisServer,
  TEST_REDIS_URL,
  type TestRedis,
  withRedis,
} from "./redis.ts";
export { SOURCE_EXEC_ARGV } from "./source-exec-argv.ts";
export { eventually, pause } from "./waiting.ts";
