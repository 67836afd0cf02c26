import { createHash, timingSafeEqual } from "node:crypto";
import { tokenFromHeader } from "@tidings/auth";
import { TidingsError } from "@tidings/protocol";

/** Throws `UNAUTHORIZED` unless the `Authorization` value carries a configured service token. */
export type ServiceAuth = (authorization: string | undefined) => void;

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * The check of the internal API: only service tokens pass, never user tokens. The given token is
 * compared as a SHA-256 digest (equal lengths for `timingSafeEqual`) with every configured token,
 * without stopping at a match, so the time taken tells nothing about the tokens. With no tokens
 * configured every request is refused.
 */
export function createServiceAuth(tokens: readonly string[]): ServiceAuth {
  const known = tokens.map(digest);
  return (authorization) => {
    const token = tokenFromHeader(authorization);
    const given = digest(token ?? "");
    let match = false;
    for (const candidate of known) match = timingSafeEqual(candidate, given) || match;
    if (!token || !match)
      throw new TidingsError("UNAUTHORIZED", "The internal API needs a valid service token.");
  };
}
