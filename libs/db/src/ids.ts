import { randomBytes } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A random 15-character id from [a-z0-9], the shape PocketBase uses, so ids created here are
 * valid in clients written for it. 36^15 ≈ 2^77: collisions are not a practical concern.
 */
export function newId(length = 15): string {
  // 252 is the largest multiple of 36 below 256: rejecting bytes above it keeps the draw uniform.
  let id = "";
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && id.length < length) id += ALPHABET[byte % 36];
    }
  }
  return id;
}
