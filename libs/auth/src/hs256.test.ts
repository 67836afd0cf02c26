import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { OwnTokenError, verifyHs256 } from "./hs256.ts";

const secret = new TextEncoder().encode("a-secret-of-at-least-thirty-two-characters");
const other = new TextEncoder().encode("another-secret-of-thirty-two-characters!");
const NOW = 1_800_000_000;

async function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT", ...header })
    .sign(secret);
}

// What jose says of the same token, at the same time: the claims, or "expired" / "invalid".
async function jose(token: string): Promise<unknown> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ["HS256"],
      typ: "JWT",
      currentDate: new Date(NOW * 1000),
    });
    return payload;
  } catch (error) {
    return (error as { code?: string }).code === "ERR_JWT_EXPIRED" ? "expired" : "invalid";
  }
}

function ours(token: string): unknown {
  try {
    return verifyHs256(token, secret, NOW * 1000);
  } catch (error) {
    if (!(error instanceof OwnTokenError)) throw error;
    return error.reason;
  }
}

describe("verifyHs256", () => {
  it("agrees with jose on valid, expired, early, tampered and foreign tokens", async () => {
    const valid = await sign({ sub: "u1", tk: "k", exp: NOW + 60, iat: NOW - 1 });
    const [head, body, signature] = valid.split(".") as [string, string, string];
    const tamperedBody = Buffer.from(
      JSON.stringify({ sub: "u2", tk: "k", exp: NOW + 60 }),
    ).toString("base64url");
    const cases = [
      valid,
      await sign({ sub: "u1", exp: NOW }),
      await sign({ sub: "u1", exp: NOW - 5 }),
      await sign({ sub: "u1", nbf: NOW + 30 }),
      await sign({ sub: "u1", exp: "tomorrow" }),
      await sign({ sub: "u1" }, { typ: "at+jwt" }),
      await new SignJWT({ sub: "u1" }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(other),
      `${head}.${tamperedBody}.${signature}`,
      `${head}.${body}.${signature.slice(0, -2)}`,
      `${head}.${body}`,
      "",
      "not.a.token",
      `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${body}.`,
    ];
    for (const token of cases) expect(ours(token), token).toEqual(await jose(token));
    expect(ours(valid)).toEqual({ sub: "u1", tk: "k", exp: NOW + 60, iat: NOW - 1 });
    // Stricter than jose: Tidings never issues critical header extensions, so none is accepted.
    expect(ours(await sign({ sub: "u1" }, { crit: ["b64"], b64: true }))).toBe("invalid");
  });
});
