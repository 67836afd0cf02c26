import { createHash } from "node:crypto";
import type { RedisClient } from "@tidings/service";

/** A Lua script sent once per Redis server and then run by its digest. */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

// Shared by the scripts. Times come from the Redis server's clock, so nodes with skewed clocks
// agree on what has expired. Memberships live in one sorted set (KEYS[1]) of "<room> <id>" scored
// by expiry; room names have no spaces. Every key is extended, never shortened, so that keys left
// by a cluster that stopped for good disappear on their own.
const COMMON = `
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function extend(key, ms)
  if redis.call('PTTL', key) < tonumber(ms) then redis.call('PEXPIRE', key, ms) end
end
local function live(roomKey, room, now)
  local all = redis.call('HGETALL', roomKey)
  local out = {}
  for i = 1, #all, 2 do
    local expiry = redis.call('ZSCORE', KEYS[1], room .. ' ' .. all[i])
    if expiry and tonumber(expiry) > now then out[#out + 1] = all[i + 1] end
  end
  return out
end
`;

/** KEYS: expiry set, room hash. ARGV: room, id, member JSON, ttl ms, key ttl ms. → live members. */
export const JOIN = new LuaScript(`${COMMON}
local now = clock()
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1] .. ' ' .. ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
extend(KEYS[1], ARGV[5])
extend(KEYS[2], ARGV[5])
return live(KEYS[2], ARGV[1], now)
`);

/** KEYS: expiry set, room hash. ARGV: room. → live members. */
export const MEMBERS = new LuaScript(`${COMMON}
return live(KEYS[2], ARGV[1], clock())
`);

// Only the call whose ZREM removed the membership returns it: that caller announces the leave.
/** KEYS: expiry set, room hash. ARGV: room, id. → the member's JSON if this call removed it. */
export const LEAVE = new LuaScript(`
local removed = redis.call('ZREM', KEYS[1], ARGV[1] .. ' ' .. ARGV[2])
local member = redis.call('HGET', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
if removed == 1 and member then return member end
return false
`);

/** KEYS: expiry set. ARGV: ttl ms, key ttl ms, room key prefix, then room, id pairs. → missing pairs. */
export const REFRESH = new LuaScript(`${COMMON}
local expiry = clock() + tonumber(ARGV[1])
local missing = {}
for i = 4, #ARGV, 2 do
  local entry = ARGV[i] .. ' ' .. ARGV[i + 1]
  if redis.call('ZSCORE', KEYS[1], entry) then
    redis.call('ZADD', KEYS[1], expiry, entry)
    extend(ARGV[3] .. ARGV[i], ARGV[2])
  else
    missing[#missing + 1] = ARGV[i]
    missing[#missing + 1] = ARGV[i + 1]
  end
end
extend(KEYS[1], ARGV[2])
return missing
`);

/** KEYS: expiry set. ARGV: limit, room key prefix. → removed room, member JSON pairs. */
export const SWEEP = new LuaScript(`${COMMON}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', clock(), 'LIMIT', 0, tonumber(ARGV[1]))
local out = {}
for _, entry in ipairs(due) do
  redis.call('ZREM', KEYS[1], entry)
  local cut = string.find(entry, ' ', 1, true)
  local room = string.sub(entry, 1, cut - 1)
  local id = string.sub(entry, cut + 1)
  local member = redis.call('HGET', ARGV[2] .. room, id)
  redis.call('HDEL', ARGV[2] .. room, id)
  if member then
    out[#out + 1] = room
    out[#out + 1] = member
  end
end
return out
`);
