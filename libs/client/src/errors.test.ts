import { ERROR_CODES } from "@tidings/protocol/wire";
import { describe, expect, it } from "vitest";
import { ERROR_CODE_LIST, errorFromBody, isTokenRevoked, TidingsError } from "./errors.ts";
import * as client from "./index.ts";

const predicateName = (code: string) =>
  `is${code
    .toLowerCase()
    .split("_")
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join("")}`;

describe("typed errors", () => {
  it("knows exactly the server's error codes", () => {
    expect([...ERROR_CODE_LIST].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it("exports one predicate per code that holds for that code only", () => {
    const exports = client as unknown as Record<string, (error: unknown) => boolean>;
    for (const code of ERROR_CODE_LIST) {
      const predicate = exports[predicateName(code)];
      expect(predicate, predicateName(code)).toBeTypeOf("function");
      for (const other of ERROR_CODE_LIST)
        expect(predicate?.(new TidingsError(other, "m")), `${code} vs ${other}`).toBe(
          code === other,
        );
      expect(predicate?.(Object.assign(new Error("m"), { code }))).toBe(false);
    }
  });

  it("isTokenRevoked - holds for UNAUTHORIZED with reason token_revoked only", () => {
    const revoked = { reason: "token_revoked" };
    expect(isTokenRevoked(new TidingsError("UNAUTHORIZED", "m", revoked))).toBe(true);
    expect(isTokenRevoked(new TidingsError("UNAUTHORIZED", "m", { reason: "token_expired" }))).toBe(
      false,
    );
    expect(isTokenRevoked(new TidingsError("FORBIDDEN", "m", revoked))).toBe(false);
    expect(
      isTokenRevoked(Object.assign(new Error("m"), { code: "UNAUTHORIZED", data: revoked })),
    ).toBe(false);
  });

  it("builds errors from wire bodies, unknown codes becoming INTERNAL", () => {
    const error = errorFromBody({ code: "INVALID_FILTER", message: "at 3", data: { position: 3 } });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: "TidingsError",
      code: "INVALID_FILTER",
      message: "at 3",
      data: { position: 3 },
    });
    expect(errorFromBody({ code: "NEW_CODE", message: "?" })).toMatchObject({
      code: "INTERNAL",
      data: {},
    });
    expect(errorFromBody(undefined).code).toBe("INTERNAL");
  });
});
