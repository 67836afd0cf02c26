import { randomFillSync } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

// Random bytes are drawn 4 KiB at a time: one call into the CSPRNG per ~130 ids instead of one per
// id (in a storm of subscribes, a call per id was 1.5 % of a gateway's CPU).
const pool = Buffer.alloc(4_096);
let next = pool.length;

function randomByte(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] as number;
}

/**
 * A random 15-character id from [a-z0-9], the shape PocketBase uses, so ids created here are
 * valid in clients written for it. 36^15 ≈ 2^77: collisions are not a practical concern.
 */
export function newId(length = 15): string {
  // 252 is the largest multiple of 36 below 256: rejecting bytes above it keeps the draw uniform.
  let id = "";
  while (id.length < length) {
    const byte = randomByte();
    if (byte < 252) id += ALPHABET[byte % 36];
  }
  return id;
}
