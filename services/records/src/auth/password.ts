import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

// scrypt with N=2^15, r=8, p=3: one of OWASP's equivalent settings (32 MiB, ~0.1 s here).
// The parameters are stored in each hash, so they can be raised without invalidating old ones.
const COST = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...options, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$key` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, COST);
  return [
    "scrypt",
    COST.N,
    COST.r,
    COST.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

/**
 * Stored for an account created without a password: no password matches it, so the account signs
 * in only with tokens a superuser issues it.
 */
export const NO_PASSWORD = "none";

/**
 * True when `password` matches `stored`; compares in constant time. A stored value that is not a
 * hash (an account without a password) matches nothing, after the time a real check takes, so
 * login timing does not tell such accounts apart.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !key) return verifyAgainstDecoy(password);
  const expected = Buffer.from(key, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// Verifying against a hash of a random, forgotten password when the account does not exist keeps
// the response time the same, so login timing does not reveal which emails are registered.
const DECOY_HASH =
  "scrypt$32768$8$3$4gHsAzyExhCJ33_lDHj33g$E1aG7a2dtRpsoMT0H2-Tw0nBEs3ZtqPdy8ARzXX5jOw";

/** Spends the same time as a real check, and fails. */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  await verifyPassword(password, DECOY_HASH);
  return false;
}
