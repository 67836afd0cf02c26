import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError, envValue, redisPrefix } from "./env-config.ts";

/** One seed node of a Redis Cluster. */
export interface RedisNode {
  host: string;
  port: number;
}

/** What TLS connections to Redis trust and present (with a `rediss://` URL). */
export interface RedisTls {
  /** PEM CA bundle (`TIDINGS_REDIS_TLS_CA_FILE`); unset: Node's own CAs. */
  ca?: string;
  /** PEM client certificate and its key, for servers that require one. */
  cert?: string;
  key?: string;
  /** Name the servers' certificates are checked against, instead of the host connected to. */
  servername?: string;
}

/** How to reach Redis: one server, or a Redis Cluster. */
export interface RedisSettings {
  /** `TIDINGS_REDIS_URL`: `rediss://` is TLS; host, credentials and database of the server. */
  url: string;
  /** Seed nodes of a Redis Cluster, the URL's host first. Unset: a single server at `url`. */
  clusterNodes?: RedisNode[];
  /** ACL user, over the URL's. */
  username?: string;
  /** Password, over the URL's. */
  password?: string;
  /** TLS certificates and name (read from their files at start); only with `rediss://`. */
  tls?: RedisTls;
}

const DEFAULT_PORT = 6379;

/** `host`, `host:port` or `[ipv6]:port`; undefined when it is none of them. */
export function parseRedisNode(item: string): RedisNode | undefined {
  if (!URL.canParse(`redis://${item}`)) return undefined;
  const url = new URL(`redis://${item}`);
  if (!url.hostname || url.username || url.password || url.search || url.hash) return undefined;
  if (url.pathname !== "" && url.pathname !== "/") return undefined;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port ? Number(url.port) : DEFAULT_PORT,
  };
}

const nodeList = z
  .string()
  .transform((value, ctx) => {
    const nodes: RedisNode[] = [];
    for (const item of value.split(",").map((each) => each.trim())) {
      if (item === "") continue;
      const node = parseRedisNode(item);
      if (node) nodes.push(node);
      else ctx.addIssue({ code: "custom", message: `expected host:port, got "${item}"` });
    }
    return nodes;
  })
  .optional();

/**
 * Environment variables of the Redis connection, read by gateways, evaluators and `npm start`:
 * the URL, credentials kept out of it, TLS files, and Redis Cluster.
 */
export const redisEnv = {
  /**
   * `redis://` or `rediss://` (TLS) URL, credentials allowed. Unset: no Redis (the in-memory
   * adapter, single node). With TIDINGS_REDIS_CLUSTER, its host is one seed node of the cluster.
   */
  TIDINGS_REDIS_URL: envValue.url(["redis:", "rediss:"]),
  /** Prefix of Tidings' Redis channels and keys, so deployments can share a Redis. */
  TIDINGS_REDIS_PREFIX: redisPrefix,
  /** ACL user (Redis 6+); overrides the URL's user. Needs a password. */
  TIDINGS_REDIS_USERNAME: z.string().optional(),
  /** Password (of the ACL user, or `requirepass`); overrides the URL's, so it can stay out of it. */
  TIDINGS_REDIS_PASSWORD: z.string().optional(),
  /** Connect to a Redis Cluster (cluster mode enabled), the URL's host being a seed node. */
  TIDINGS_REDIS_CLUSTER: envValue.bool(false),
  /** More seed nodes of the cluster: comma-separated `host:port`. Scheme and credentials: the URL's. */
  TIDINGS_REDIS_CLUSTER_NODES: nodeList,
  /** PEM file of the CAs that sign the Redis servers' certificates (rediss:// only). */
  TIDINGS_REDIS_TLS_CA_FILE: z.string().optional(),
  /** PEM client certificate, for servers that require one (with TIDINGS_REDIS_TLS_KEY_FILE). */
  TIDINGS_REDIS_TLS_CERT_FILE: z.string().optional(),
  /** PEM private key of that certificate. */
  TIDINGS_REDIS_TLS_KEY_FILE: z.string().optional(),
  /** Name the servers' certificates must carry, when it is not the host connected to. */
  TIDINGS_REDIS_TLS_SERVERNAME: z.string().optional(),
};

type RedisEnvValues = z.infer<z.ZodObject<typeof redisEnv>>;

const TLS_FILES = [
  ["TIDINGS_REDIS_TLS_CA_FILE", "ca"],
  ["TIDINGS_REDIS_TLS_CERT_FILE", "cert"],
  ["TIDINGS_REDIS_TLS_KEY_FILE", "key"],
] as const;
const TLS_VARIABLES = [...TLS_FILES.map(([name]) => name), "TIDINGS_REDIS_TLS_SERVERNAME"] as const;

/**
 * The Redis settings from parsed {@link redisEnv} values (undefined without a URL), with the TLS
 * files read. Throws a ConfigError naming every variable that is unusable, or set without what it
 * needs (credentials or TLS without a URL, TLS files without `rediss://`, cluster nodes without
 * TIDINGS_REDIS_CLUSTER, a certificate without its key, a database other than 0 on a cluster).
 */
export function redisSettingsFrom(v: RedisEnvValues): RedisSettings | undefined {
  const problems: string[] = [];
  if (!v.TIDINGS_REDIS_URL) {
    const dependent = [
      "TIDINGS_REDIS_USERNAME",
      "TIDINGS_REDIS_PASSWORD",
      "TIDINGS_REDIS_CLUSTER_NODES",
      ...TLS_VARIABLES,
    ] as const;
    for (const name of dependent)
      if (v[name] !== undefined) problems.push(`${name}: needs TIDINGS_REDIS_URL`);
    if (v.TIDINGS_REDIS_CLUSTER) problems.push("TIDINGS_REDIS_CLUSTER: needs TIDINGS_REDIS_URL");
    fail(problems);
    return undefined;
  }
  const url = new URL(v.TIDINGS_REDIS_URL);
  const username = v.TIDINGS_REDIS_USERNAME ?? (decodeURIComponent(url.username) || undefined);
  const password = v.TIDINGS_REDIS_PASSWORD ?? (decodeURIComponent(url.password) || undefined);
  if (username !== undefined && password === undefined)
    problems.push("TIDINGS_REDIS_USERNAME: needs a password (TIDINGS_REDIS_PASSWORD or the URL's)");
  if (v.TIDINGS_REDIS_CLUSTER_NODES && !v.TIDINGS_REDIS_CLUSTER)
    problems.push("TIDINGS_REDIS_CLUSTER_NODES: needs TIDINGS_REDIS_CLUSTER=true");
  if (v.TIDINGS_REDIS_CLUSTER && !/^\/?0?$/.test(url.pathname))
    problems.push("TIDINGS_REDIS_URL: a Redis Cluster has database 0 only; drop the path");
  const tls: RedisTls = {};
  if (url.protocol !== "rediss:") {
    for (const name of TLS_VARIABLES)
      if (v[name] !== undefined) problems.push(`${name}: needs a rediss:// TIDINGS_REDIS_URL`);
  } else {
    for (const [name, field] of TLS_FILES) {
      const path = v[name];
      if (path === undefined) continue;
      const read = readPem(path);
      if (typeof read === "string") tls[field] = read;
      else problems.push(`${name}: ${read.problem}`);
    }
    if (
      (v.TIDINGS_REDIS_TLS_CERT_FILE === undefined) !==
      (v.TIDINGS_REDIS_TLS_KEY_FILE === undefined)
    )
      problems.push(
        "TIDINGS_REDIS_TLS_CERT_FILE: a client certificate needs its key (TIDINGS_REDIS_TLS_KEY_FILE), and a key its certificate",
      );
    if (v.TIDINGS_REDIS_TLS_SERVERNAME) tls.servername = v.TIDINGS_REDIS_TLS_SERVERNAME;
  }
  fail(problems);
  const seed = parseRedisNode(url.host) ?? { host: url.hostname, port: DEFAULT_PORT };
  return {
    url: v.TIDINGS_REDIS_URL,
    ...(v.TIDINGS_REDIS_CLUSTER
      ? { clusterNodes: uniqueNodes([seed, ...(v.TIDINGS_REDIS_CLUSTER_NODES ?? [])]) }
      : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}

function readPem(path: string): string | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { problem: `cannot read ${path} (${code})` };
  }
  return text.includes("-----BEGIN ") ? text : { problem: `${path} is not a PEM file` };
}

function uniqueNodes(nodes: RedisNode[]): RedisNode[] {
  const seen = new Map(nodes.map((node) => [`${node.host}:${node.port}`, node]));
  return [...seen.values()];
}

function fail(problems: string[]): void {
  if (problems.length > 0)
    throw new ConfigError(`invalid configuration:\n  ${problems.join("\n  ")}`);
}
