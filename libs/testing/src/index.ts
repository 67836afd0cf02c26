export { CHROMIUM_PATH, launchChromium } from "./chromium.ts";
export { freePort } from "./local-servers.ts";
export {
  jetStreamApi,
  type NatsServerOptions,
  type NatsServerProcess,
  startNatsServer,
  TEST_NATS_URL,
  type TestNats,
  withNats,
} from "./nats.ts";
export {
  createNkeyUser,
  createOperatorAuth,
  type NkeyUser,
  type OperatorAuth,
} from "./nats-auth.ts";
export {
  type NatsClusterOptions,
  type NatsClusterProcess,
  startNatsCluster,
} from "./nats-cluster.ts";
export { type PgBouncerOptions, type PgBouncerProcess, startPgBouncer } from "./pgbouncer.ts";
export { TEST_POSTGRES_ADMIN_URL, type TestDatabase, withPostgres } from "./postgres.ts";
export { type DmlRole, withDmlRole } from "./postgres-role.ts";
export {
  type PostgresServerProcess,
  postgresBinaries,
  startPostgresServer,
} from "./postgres-server.ts";
export {
  type RedisServerOptions,
  type RedisServerProcess,
  startRedisServer,
  TEST_REDIS_URL,
  type TestRedis,
  withRedis,
} from "./redis.ts";
export {
  type RedisClusterOptions,
  type RedisClusterProcess,
  startRedisCluster,
} from "./redis-cluster.ts";
export { SOURCE_EXEC_ARGV } from "./source-exec-argv.ts";
export { createTlsFiles, type TlsFiles } from "./tls-files.ts";
export { eventually, pause } from "./waiting.ts";
