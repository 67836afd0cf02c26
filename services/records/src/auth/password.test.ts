import { describe, expect, it } from "vitest";
import { hashPassword, NO_PASSWORD, verifyAgainstDecoy, verifyPassword } from "./password.ts";

describe("password hashing", () => {
  it("verifies the right password and refuses others", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$32768\$8\$3\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterx", stored)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("refuses malformed stored hashes instead of throwing", async () => {
    expect(await verifyPassword("x", "")).toBe(false);
    expect(await verifyPassword("x", "bcrypt$1$2$3$a$b")).toBe(false);
  });

  it("treats Unicode-equivalent passwords as equal", async () => {
    const stored = await hashPassword("caf\u00e9");
    expect(await verifyPassword("cafe\u0301", stored)).toBe(true);
  });

  it("decoy check always fails", async () => {
    expect(await verifyAgainstDecoy("anything")).toBe(false);
  });

  it("an account without a password matches nothing, after the time a real check takes", async () => {
    const stored = await hashPassword("correct horse battery");
    const timed = async (hash: string) => {
      const started = performance.now();
      expect(await verifyPassword("correct horse battery!", hash)).toBe(false);
      return performance.now() - started;
    };
    const real = await timed(stored);
    // A loose bound: an answer without the decoy check would take microseconds, not a third.
    expect(await timed(NO_PASSWORD)).toBeGreaterThan(real / 3);
    expect(await verifyPassword("none", NO_PASSWORD)).toBe(false);
    expect(await verifyPassword("", NO_PASSWORD)).toBe(false);
  });
});
