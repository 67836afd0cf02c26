import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a token of our own was refused. */
export class OwnTokenError extends Error {
  override readonly name = "OwnTokenError";
  constructor(readonly reason: "invalid" | "expired") {
    super(reason === "expired" ? "the token has expired" : "the token is invalid");
  }
}

function json(segment: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("not an object");
  return value as Record<string, unknown>;
}

const isNumber = (value: unknown) => typeof value === "number" && Number.isFinite(value);

/**
 * Checks a compact HS256 JWT as Tidings issues them — header `{alg: "HS256", typ: "JWT"}`, no
 * critical extensions, a signature over `header.payload`, and `exp`/`nbf`/`iat` numbers with
 * `exp` in the future and `nbf` in the past — and returns its claims. The same checks as jose's
 * `jwtVerify` with those options, on node:crypto's synchronous HMAC, which costs a tenth of
 * WebCrypto's for the short message a token is: a gateway checks one per connection.
 */
export function verifyHs256(
  token: string,
  secret: Uint8Array,
  nowMs = Date.now(),
): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new OwnTokenError("invalid");
  const [header, payload, signature] = parts as [string, string, string];
  let claims: Record<string, unknown>;
  try {
    const head = json(header);
    if (head.alg !== "HS256" || head.typ !== "JWT" || "crit" in head) throw new Error("header");
    const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new Error("signature");
    claims = json(payload);
  } catch {
    throw new OwnTokenError("invalid");
  }
  const now = Math.floor(nowMs / 1000);
  for (const name of ["exp", "nbf", "iat"] as const) {
    if (claims[name] !== undefined && !isNumber(claims[name])) throw new OwnTokenError("invalid");
  }
  if (claims.nbf !== undefined && (claims.nbf as number) > now) throw new OwnTokenError("invalid");
  if (claims.exp !== undefined && (claims.exp as number) <= now) throw new OwnTokenError("expired");
  return claims;
}
