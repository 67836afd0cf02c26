import { once } from "node:events";
import {
  createTlsFiles,
  type RedisClusterProcess,
  startRedisCluster,
  startRedisServer,
  type TlsFiles,
} from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "./env-config.ts";
import { createLogger } from "./logger.ts";
import { createRedisClient, type RedisClient, type RedisRole } from "./redis-client.ts";
import { type RedisSettings, redisEnv, redisSettingsFrom } from "./redis-settings.ts";

const logger = createLogger("silent");

function settingsOf(env: NodeJS.ProcessEnv): RedisSettings {
  const settings = redisSettingsFrom(parseEnv(redisEnv, env).values);
  if (!settings) throw new Error("expected Redis settings");
  return settings;
}

/** A client from `env` (as a service reads it), disconnected when disposed. */
function clientOf(env: NodeJS.ProcessEnv, role: RedisRole = "publisher") {
  const client = createRedisClient(settingsOf(env), role, logger);
  return Object.assign(client, { [Symbol.dispose]: () => client.disconnect() }) as RedisClient &
    Disposable;
}

/** The first connection error of `client`'s. */
async function firstError(client: RedisClient): Promise<string> {
  const [error] = await once(client, "error");
  return String((error as Error).message);
}

describe("createRedisClient - one server", () => {
  it("password - TIDINGS_REDIS_PASSWORD authenticates where the URL carries none", async () => {
    await using server = await startRedisServer({ password: "s3cret" });
    using client = clientOf({ TIDINGS_REDIS_URL: server.url, TIDINGS_REDIS_PASSWORD: "s3cret" });
    expect(await client.ping()).toBe("PONG");
    using inUrl = clientOf({ TIDINGS_REDIS_URL: server.url.replace("//", "//:s3cret@") });
    expect(await inUrl.ping()).toBe("PONG");
    using without = clientOf({ TIDINGS_REDIS_URL: server.url });
    expect(await firstError(without)).toMatch(/NOAUTH/);
    using wrong = clientOf({
      TIDINGS_REDIS_URL: server.url.replace("//", "//:s3cret@"),
      TIDINGS_REDIS_PASSWORD: "wrong",
    });
    expect(await firstError(wrong)).toMatch(/WRONGPASS|invalid password/);
  });

  it("ACL user - TIDINGS_REDIS_USERNAME with TIDINGS_REDIS_PASSWORD authenticates as that user", async () => {
    await using server = await startRedisServer({ password: "s3cret" });
    using admin = clientOf({ TIDINGS_REDIS_URL: server.url, TIDINGS_REDIS_PASSWORD: "s3cret" });
    await admin.call("ACL", "SETUSER", "tidings", "on", ">user-pw", "~*", "&*", "+@all");
    using user = clientOf({
      TIDINGS_REDIS_URL: server.url,
      TIDINGS_REDIS_USERNAME: "tidings",
      TIDINGS_REDIS_PASSWORD: "user-pw",
    });
    expect(await user.call("ACL", "WHOAMI")).toBe("tidings");
  });
});

describe("createRedisClient - TLS", () => {
  let files: TlsFiles;
  let stranger: TlsFiles;
  beforeAll(async () => {
    [files, stranger] = [await createTlsFiles(), await createTlsFiles()];
  });
  afterAll(async () => {
    await files?.[Symbol.asyncDispose]();
    await stranger?.[Symbol.asyncDispose]();
  });

  it("rediss:// with TIDINGS_REDIS_TLS_CA_FILE - trusts the server its CA signed, and no other", async () => {
    await using server = await startRedisServer({
      tls: { certificates: files, clientCertificates: "optional" },
    });
    using trusted = clientOf({
      TIDINGS_REDIS_URL: server.url,
      TIDINGS_REDIS_TLS_CA_FILE: files.caFile,
    });
    expect(await trusted.ping()).toBe("PONG");
    using untrusted = clientOf({
      TIDINGS_REDIS_URL: server.url,
      TIDINGS_REDIS_TLS_CA_FILE: stranger.caFile,
    });
    expect(await firstError(untrusted)).toMatch(/certificate/i);
    using plain = clientOf(
      { TIDINGS_REDIS_URL: server.url.replace("rediss:", "redis:") },
      "emitter",
    );
    await expect(plain.ping()).rejects.toThrow();
  });

  it("TIDINGS_REDIS_TLS_SERVERNAME - the certificate is checked against that name", async () => {
    await using server = await startRedisServer({
      tls: { certificates: files, clientCertificates: "optional" },
    });
    const env = { TIDINGS_REDIS_URL: server.url, TIDINGS_REDIS_TLS_CA_FILE: files.caFile };
    using named = clientOf({ ...env, TIDINGS_REDIS_TLS_SERVERNAME: "localhost" });
    expect(await named.ping()).toBe("PONG");
    using misnamed = clientOf({ ...env, TIDINGS_REDIS_TLS_SERVERNAME: "redis.example.com" });
    expect(await firstError(misnamed)).toMatch(/redis\.example\.com/);
  });

  it("client certificate - a server that requires one accepts the configured one, and only with it", async () => {
    await using server = await startRedisServer({
      password: "s3cret",
      tls: { certificates: files, clientCertificates: "required" },
    });
    const env = {
      TIDINGS_REDIS_URL: server.url,
      TIDINGS_REDIS_PASSWORD: "s3cret",
      TIDINGS_REDIS_TLS_CA_FILE: files.caFile,
    };
    using withCert = clientOf({
      ...env,
      TIDINGS_REDIS_TLS_CERT_FILE: files.clientCertFile,
      TIDINGS_REDIS_TLS_KEY_FILE: files.clientKeyFile,
    });
    expect(await withCert.ping()).toBe("PONG");
    using withoutCert = clientOf(env, "emitter");
    await firstError(withoutCert);
    await expect(withoutCert.ping()).rejects.toThrow();
  });
});

describe("createRedisClient - a three-master Redis Cluster", () => {
  let cluster: RedisClusterProcess;
  beforeAll(async () => {
    cluster = await startRedisCluster({ password: "s3cret" });
  });
  afterAll(() => cluster?.[Symbol.asyncDispose]());
  const env = () => ({
    TIDINGS_REDIS_URL: cluster.url,
    TIDINGS_REDIS_CLUSTER: "true",
    TIDINGS_REDIS_CLUSTER_NODES: cluster.nodes,
    TIDINGS_REDIS_PASSWORD: "s3cret",
  });

  it("reads and writes keys of every slot's master, following the cluster from one seed", async () => {
    using client = clientOf({ ...env(), TIDINGS_REDIS_CLUSTER_NODES: "" });
    expect(client.isCluster).toBe(true);
    const keys = Array.from({ length: 30 }, (_, i) => `t:key:${i}`);
    await Promise.all(keys.map((key) => client.set(key, key, "EX", 60)));
    expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys);
    const perMaster = await Promise.all(cluster.ports.map((port) => cluster.cli(port, "dbsize")));
    expect(perMaster.map((count) => Number(count.trim())).every((count) => count > 0)).toBe(true);
  });

  it("sharded pub/sub - the subscriber role subscribes on each channel's own master", async () => {
    using sub = clientOf(env(), "subscriber");
    using pub = clientOf(env(), "emitter");
    const channels = Array.from({ length: 24 }, (_, i) => `t#/#room-${i}#`);
    const received: string[] = [];
    sub.on("smessage", (channel: string, message: string) =>
      received.push(`${channel} ${message}`),
    );
    await Promise.all(channels.map((channel) => sub.ssubscribe(channel)));
    const held = await Promise.all(
      cluster.ports.map((port) => cluster.cli(port, "pubsub", "shardchannels", "t#*")),
    );
    expect(held.every((list) => list.trim().length > 0)).toBe(true);
    await Promise.all(channels.map((channel) => pub.spublish(channel, "hello")));
    await expect
      .poll(() => received.sort(), { timeout: 5_000 })
      .toEqual(channels.map((channel) => `${channel} hello`).sort());
  });

  it("TLS and password on every node - rediss:// seeds with the CA and a client certificate", async () => {
    await using files = await createTlsFiles();
    await using secure = await startRedisCluster({
      password: "s3cret",
      tls: { certificates: files },
    });
    using client = clientOf({
      TIDINGS_REDIS_URL: secure.url,
      TIDINGS_REDIS_CLUSTER: "true",
      TIDINGS_REDIS_PASSWORD: "s3cret",
      TIDINGS_REDIS_TLS_CA_FILE: files.caFile,
      TIDINGS_REDIS_TLS_CERT_FILE: files.clientCertFile,
      TIDINGS_REDIS_TLS_KEY_FILE: files.clientKeyFile,
    });
    const keys = Array.from({ length: 12 }, (_, i) => `t:tls:${i}`);
    await Promise.all(keys.map((key) => client.set(key, key)));
    expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys);
  });
});
