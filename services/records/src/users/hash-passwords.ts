import { availableParallelism } from "node:os";
import { hashPassword, NO_PASSWORD } from "../auth/password.ts";

// libuv's thread pool, which runs scrypt: 4 threads unless UV_THREADPOOL_SIZE says otherwise (it is
// read by libuv itself, once, when the pool starts).
function threadPoolSize(): number {
  const size = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

/**
 * Hashes each password (NO_PASSWORD for an absent one), in order, keeping as many hashes running
 * as there are cores, and at most as the pool has threads: scrypt is CPU-bound, so more at once
 * is no faster, and queueing the whole batch would put every other user of the pool (file reads,
 * DNS, other requests' logins) behind it; this way they find a thread free, or wait for one hash.
 */
export async function hashPasswords(passwords: readonly (string | undefined)[]): Promise<string[]> {
  const hashes = new Array<string>(passwords.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < passwords.length; index = next++) {
      const password = passwords[index];
      hashes[index] = password === undefined ? NO_PASSWORD : await hashPassword(password);
    }
  };
  const workers = Math.min(threadPoolSize(), availableParallelism(), passwords.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return hashes;
}
