import type { RedisClient } from "@tidings/service";
import { JOIN, LEAVE, MEMBERS, REFRESH, SWEEP } from "./presence-scripts.ts";
import type { MemberKey, PresenceMember, PresenceStore, SweptMember } from "./presence-store.ts";

/** Where the Redis presence store keeps its keys. */
export interface RedisPresenceOptions {
  /**
   * Prefix of every key (`TIDINGS_REDIS_PREFIX`), so deployments (and tests) can share a Redis.
   * @default "tidings"
   */
  prefix?: string;
}

// Keys left behind by a cluster that stopped for good expire this many memberships' lifetimes later.
const KEY_LIFETIMES = 4;
// Refreshes are sent in chunks so one script never blocks Redis for long.
const REFRESH_CHUNK = 500;

/**
 * Presence shared by every gateway node through Redis:
 * - `<prefix>:{presence}:expiry`: a sorted set of `"<room> <connection id>"`, scored by expiry time
 *   (epoch ms on the Redis clock); nodes refresh their members' scores, and sweeps remove the
 *   expired ones;
 * - `<prefix>:{presence}:room:<room>`: a hash of connection id → member JSON.
 *
 * Every change is one Lua script, so a membership is removed, and its leave announced, once. The
 * `{presence}` hash tag keeps all keys in one slot, as the scripts need on a Redis Cluster.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly #redis: RedisClient;
  readonly #expiryKey: string;
  readonly #roomPrefix: string;

  constructor(redis: RedisClient, options: RedisPresenceOptions = {}) {
    this.#redis = redis;
    const base = `${options.prefix ?? "tidings"}:{presence}:`;
    this.#expiryKey = `${base}expiry`;
    this.#roomPrefix = `${base}room:`;
  }

  async join(room: string, member: PresenceMember, ttlMs: number): Promise<PresenceMember[]> {
    const members = await JOIN.run(
      this.#redis,
      [this.#expiryKey, this.#roomPrefix + room],
      [room, member.id, JSON.stringify(member), ttlMs, ttlMs * KEY_LIFETIMES],
    );
    return (members as string[]).map(parseMember);
  }

  async leave(room: string, id: string): Promise<PresenceMember | undefined> {
    const member = await LEAVE.run(
      this.#redis,
      [this.#expiryKey, this.#roomPrefix + room],
      [room, id],
    );
    return typeof member === "string" ? parseMember(member) : undefined;
  }

  async members(room: string): Promise<PresenceMember[]> {
    const members = await MEMBERS.run(
      this.#redis,
      [this.#expiryKey, this.#roomPrefix + room],
      [room],
    );
    return (members as string[]).map(parseMember);
  }

  async refresh(keys: readonly MemberKey[], ttlMs: number): Promise<MemberKey[]> {
    const missing: MemberKey[] = [];
    for (let start = 0; start < keys.length; start += REFRESH_CHUNK) {
      const pairs = keys.slice(start, start + REFRESH_CHUNK).flatMap((key) => [key.room, key.id]);
      const gone = (await REFRESH.run(
        this.#redis,
        [this.#expiryKey],
        [ttlMs, ttlMs * KEY_LIFETIMES, this.#roomPrefix, ...pairs],
      )) as string[];
      for (let i = 0; i < gone.length; i += 2)
        missing.push({ room: gone[i] as string, id: gone[i + 1] as string });
    }
    return missing;
  }

  async sweep(limit: number): Promise<SweptMember[]> {
    const out = (await SWEEP.run(
      this.#redis,
      [this.#expiryKey],
      [limit, this.#roomPrefix],
    )) as string[];
    const swept: SweptMember[] = [];
    for (let i = 0; i < out.length; i += 2)
      swept.push({ room: out[i] as string, member: parseMember(out[i + 1] as string) });
    return swept;
  }
}

function parseMember(json: string): PresenceMember {
  return JSON.parse(json) as PresenceMember;
}
