import { TidingsError } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import { ContentRefusal, closeReasonText, refusalReason } from "./close-reasons.ts";

describe("refusalReason", () => {
  const guest = { schema: "posts", signedIn: false };
  const user = { schema: "posts", signedIn: true };

  it("gives FastSchema's reasons for an unknown schema, a bad filter and refused rules", () => {
    expect(refusalReason(new TidingsError("NOT_FOUND"), guest)).toBe(
      "realtime.content: schema not found: posts",
    );
    expect(refusalReason(new TidingsError("INVALID_FILTER", 'unknown field "x" at 1'), guest)).toBe(
      'realtime.content: invalid filter: unknown field "x" at 1',
    );
    expect(refusalReason(new TidingsError("FORBIDDEN"), guest)).toBe("[401] Unauthorized");
    expect(refusalReason(new TidingsError("FORBIDDEN"), user)).toBe("[403] Forbidden");
    expect(refusalReason(new TidingsError("UNAUTHORIZED"), user)).toBe("[401] Unauthorized");
  });

  it("keeps a refusal's own reason and formats other errors as FastSchema's [status] message", () => {
    expect(refusalReason(new ContentRefusal("as is"), guest)).toBe("as is");
    expect(refusalReason(new TidingsError("LIMIT_EXCEEDED", "At most 10."), user)).toBe(
      "[429] At most 10.",
    );
    expect(refusalReason(new Error("secret detail"), user)).toBe("[500] Internal Server Error");
  });
});

describe("closeReasonText", () => {
  it("cuts to 123 bytes of UTF-8 without splitting a character", () => {
    expect(closeReasonText("short")).toBe("short");
    const cut = closeReasonText(`a${"é".repeat(100)}`);
    expect(Buffer.byteLength(cut)).toBe(123);
    expect(cut.endsWith("é")).toBe(true);
    const emoji = closeReasonText("😀".repeat(40));
    expect(Buffer.byteLength(emoji)).toBe(120);
    expect(emoji).toBe("😀".repeat(30));
  });
});
