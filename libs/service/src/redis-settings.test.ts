import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "./env-config.ts";
import { redisClusterOptions, redisConnectionOptions } from "./redis-client.ts";
import { parseRedisNode, redisEnv, redisSettingsFrom } from "./redis-settings.ts";

const settings = (env: NodeJS.ProcessEnv) => redisSettingsFrom(parseEnv(redisEnv, env).values);
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("Redis settings", () => {
  let dir: string;
  let pem: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tidings-redis-settings-"));
    pem = join(dir, "ca.pem");
    await writeFile(pem, PEM);
    await writeFile(join(dir, "not-pem.txt"), "hello");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("no URL - no Redis, and nothing else needed", () => {
    expect(settings({})).toBeUndefined();
    expect(settings({ TIDINGS_REDIS_CLUSTER: "false" })).toBeUndefined();
  });

  it("no URL - a credential, TLS or cluster variable without one is refused, each by name", () => {
    const attempt = () =>
      settings({
        TIDINGS_REDIS_PASSWORD: "secret",
        TIDINGS_REDIS_CLUSTER: "true",
        TIDINGS_REDIS_TLS_CA_FILE: pem,
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/TIDINGS_REDIS_PASSWORD: needs TIDINGS_REDIS_URL/);
    expect(attempt).toThrow(/TIDINGS_REDIS_CLUSTER: needs TIDINGS_REDIS_URL/);
    expect(attempt).toThrow(/TIDINGS_REDIS_TLS_CA_FILE: needs TIDINGS_REDIS_URL/);
  });

  it("URL only - one server, credentials from the URL as ioredis reads them", () => {
    expect(settings({ TIDINGS_REDIS_URL: "redis://127.0.0.1:6380/2" })).toEqual({
      url: "redis://127.0.0.1:6380/2",
    });
    expect(settings({ TIDINGS_REDIS_URL: "redis://ann:p%40ss@redis:6379" })).toMatchObject({
      username: "ann",
      password: "p@ss",
    });
  });

  it("password - the variables win over the URL's credentials, so secrets can stay out of it", () => {
    const both = settings({
      TIDINGS_REDIS_URL: "redis://ann:old@redis:6379",
      TIDINGS_REDIS_PASSWORD: "new",
    });
    expect(both).toMatchObject({ username: "ann", password: "new" });
    const acl = settings({
      TIDINGS_REDIS_URL: "redis://redis:6379",
      TIDINGS_REDIS_USERNAME: "tidings",
      TIDINGS_REDIS_PASSWORD: "s3cret",
    });
    expect(acl && redisConnectionOptions(acl, "publisher")).toMatchObject({
      username: "tidings",
      password: "s3cret",
    });
  });

  it("password - a user without a password is refused", () => {
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "redis://redis:6379", TIDINGS_REDIS_USERNAME: "tidings" }),
    ).toThrow(/TIDINGS_REDIS_USERNAME: needs a password/);
  });

  it("TLS - rediss:// turns it on; the PEM files are read at start", () => {
    const tls = settings({
      TIDINGS_REDIS_URL: "rediss://redis:6380",
      TIDINGS_REDIS_TLS_CA_FILE: pem,
      TIDINGS_REDIS_TLS_CERT_FILE: pem,
      TIDINGS_REDIS_TLS_KEY_FILE: pem,
      TIDINGS_REDIS_TLS_SERVERNAME: "redis.internal",
    });
    expect(tls?.tls).toEqual({ ca: PEM, cert: PEM, key: PEM, servername: "redis.internal" });
    expect(tls && redisConnectionOptions(tls, "publisher").tls).toEqual(tls?.tls);
    const bare = settings({ TIDINGS_REDIS_URL: "rediss://redis:6380" });
    expect(bare && redisConnectionOptions(bare, "publisher").tls).toEqual({});
    const plain = settings({ TIDINGS_REDIS_URL: "redis://redis:6379" });
    expect(plain && redisConnectionOptions(plain, "publisher").tls).toBeUndefined();
  });

  it("TLS - a missing, unreadable or non-PEM file is a ConfigError naming the variable and path", async () => {
    const missing = join(dir, "nope.pem");
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "rediss://redis", TIDINGS_REDIS_TLS_CA_FILE: missing }),
    ).toThrow(`TIDINGS_REDIS_TLS_CA_FILE: cannot read ${missing} (ENOENT)`);
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "rediss://redis", TIDINGS_REDIS_TLS_CA_FILE: dir }),
    ).toThrow(`TIDINGS_REDIS_TLS_CA_FILE: cannot read ${dir} (EISDIR)`);
    const text = join(dir, "not-pem.txt");
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "rediss://redis", TIDINGS_REDIS_TLS_CA_FILE: text }),
    ).toThrow(`TIDINGS_REDIS_TLS_CA_FILE: ${text} is not a PEM file`);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, "locked.pem");
      await writeFile(locked, PEM);
      await chmod(locked, 0o000);
      expect(() =>
        settings({ TIDINGS_REDIS_URL: "rediss://redis", TIDINGS_REDIS_TLS_KEY_FILE: locked }),
      ).toThrow(/TIDINGS_REDIS_TLS_KEY_FILE: cannot read .* \(EACCES\)/);
    }
  });

  it("TLS - files with a redis:// URL, or a certificate without its key, are refused", () => {
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "redis://redis", TIDINGS_REDIS_TLS_CA_FILE: pem }),
    ).toThrow(/TIDINGS_REDIS_TLS_CA_FILE: needs a rediss:\/\/ TIDINGS_REDIS_URL/);
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "rediss://redis", TIDINGS_REDIS_TLS_CERT_FILE: pem }),
    ).toThrow(/TIDINGS_REDIS_TLS_CERT_FILE: a client certificate needs its key/);
  });

  it("cluster - the URL's host is a seed node, TIDINGS_REDIS_CLUSTER_NODES adds more", () => {
    expect(
      settings({
        TIDINGS_REDIS_URL: "rediss://:pw@10.0.0.1:7000",
        TIDINGS_REDIS_CLUSTER: "true",
        TIDINGS_REDIS_CLUSTER_NODES: "10.0.0.2:7001, redis-3 ,[::1]:7003,10.0.0.1:7000",
      }),
    ).toEqual({
      url: "rediss://:pw@10.0.0.1:7000",
      password: "pw",
      clusterNodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 7001 },
        { host: "redis-3", port: 6379 },
        { host: "::1", port: 7003 },
      ],
    });
    expect(
      settings({ TIDINGS_REDIS_URL: "redis://redis", TIDINGS_REDIS_CLUSTER: "true" })?.clusterNodes,
    ).toEqual([{ host: "redis", port: 6379 }]);
  });

  it("cluster - bad nodes, nodes without TIDINGS_REDIS_CLUSTER, or a database other than 0 are refused", () => {
    expect(() =>
      settings({
        TIDINGS_REDIS_URL: "redis://redis",
        TIDINGS_REDIS_CLUSTER: "true",
        TIDINGS_REDIS_CLUSTER_NODES: "redis-2:7000,redis://redis-3:7000",
      }),
    ).toThrow(/TIDINGS_REDIS_CLUSTER_NODES: expected host:port, got "redis:\/\/redis-3:7000"/);
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "redis://redis", TIDINGS_REDIS_CLUSTER_NODES: "redis-2" }),
    ).toThrow(/TIDINGS_REDIS_CLUSTER_NODES: needs TIDINGS_REDIS_CLUSTER=true/);
    expect(() =>
      settings({ TIDINGS_REDIS_URL: "redis://redis/3", TIDINGS_REDIS_CLUSTER: "true" }),
    ).toThrow(/TIDINGS_REDIS_URL: a Redis Cluster has database 0 only/);
    expect(parseRedisNode("redis:70000")).toBeUndefined();
    expect(parseRedisNode("user@redis:7000")).toBeUndefined();
  });

  it("cluster - per role: sharded subscribers for the subscriber, no offline queue and auto-pipelining for the emitter", () => {
    const cluster = settings({
      TIDINGS_REDIS_URL: "redis://redis",
      TIDINGS_REDIS_CLUSTER: "true",
      TIDINGS_REDIS_PASSWORD: "pw",
    });
    if (!cluster) throw new Error("expected settings");
    expect(redisClusterOptions(cluster, "subscriber")).toMatchObject({
      shardedSubscribers: true,
      enableOfflineQueue: true,
      redisOptions: { password: "pw", connectionName: "tidings-subscriber" },
    });
    expect(redisClusterOptions(cluster, "emitter")).toMatchObject({
      shardedSubscribers: false,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      redisOptions: { password: "pw", maxRetriesPerRequest: 1 },
    });
    expect(redisClusterOptions(cluster, "publisher")).toMatchObject({
      shardedSubscribers: false,
      enableOfflineQueue: true,
      enableAutoPipelining: false,
    });
  });
});
