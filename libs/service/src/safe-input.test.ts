import { TidingsError } from "@tidings/protocol";
import { describe, expect, it } from "vitest";
import { checkInput, findUnsafeInput } from "./safe-input.ts";

const nested = (levels: number): unknown => {
  let value: unknown = "leaf";
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe("findUnsafeInput", () => {
  it("accepts ordinary text, paired surrogates and values of any type", () => {
    const body = { title: "héllo 😀", n: 1, ok: true, none: null, tags: ["a", "\u{1F600}"] };
    expect(findUnsafeInput(body, 8)).toBeUndefined();
    expect(findUnsafeInput("plain", 8)).toBeUndefined();
    expect(findUnsafeInput(undefined, 8)).toBeUndefined();
  });

  it("names the field holding a NUL character", () => {
    expect(findUnsafeInput({ record: { title: "a\u0000b" } }, 8)).toEqual({
      path: "record.title",
      code: "nul_character",
      message: "contains a NUL character (U+0000), which cannot be stored",
    });
    expect(findUnsafeInput({ events: [{}, { key: "\u0000" }] }, 8)?.path).toBe("events.1.key");
  });

  it("names lone surrogates, high or low, wherever they are", () => {
    for (const text of ["\ud800", "x\ud800y", "\udc00", "a\udfff", "\ud83d\ud83d\ude00"]) {
      const problem = findUnsafeInput({ name: text }, 8);
      expect(problem, JSON.stringify(text)).toMatchObject({ path: "name", code: "lone_surrogate" });
    }
    expect(findUnsafeInput({ name: "\udc00" }, 8)?.message).toContain("U+DC00");
  });

  it("checks keys too, naming them with the bad characters escaped", () => {
    expect(findUnsafeInput({ data: { "a\u0000b": 1 } }, 8)).toMatchObject({
      path: "data.a\\u0000b",
      code: "nul_character",
      message: "is a key that contains a NUL character (U+0000), which cannot be stored",
    });
  });

  it("reports the first problem in the order the fields were sent", () => {
    expect(findUnsafeInput({ a: "fine", b: "\u0000", c: "\ud800" }, 8)?.path).toBe("b");
  });

  it("a string that is the whole body is named body", () => {
    expect(findUnsafeInput("\u0000", 8)?.path).toBe("body");
  });

  it("refuses objects and arrays nested deeper than the limit, naming where", () => {
    expect(findUnsafeInput(nested(4), 4)).toBeUndefined();
    expect(findUnsafeInput(nested(5), 4)).toMatchObject({ path: "a.0.a.0", code: "too_deep" });
    expect(findUnsafeInput([[[]]], 2)).toMatchObject({ path: "0.0", code: "too_deep" });
  });

  it("cuts a long path short, never inside a surrogate pair", () => {
    const path = findUnsafeInput({ [`${"k".repeat(199)}😀x`]: "\u0000" }, 8)?.path;
    expect(path).toBe(`${"k".repeat(199)}😀…`);
    expect(findUnsafeInput(nested(1_000), 500)?.path).toMatch(/^[0a.]{200}…$/);
  });

  it("walks any depth without overflowing the stack", () => {
    expect(findUnsafeInput(nested(200_000), 256)?.code).toBe("too_deep");
    expect(findUnsafeInput(nested(200_000), 1_000_000)).toBeUndefined();
  });

  it("walks objects of any prototype, and leaves binary data alone", () => {
    class Params {
      id = "a\u0000";
    }
    expect(findUnsafeInput(new Params(), 1)?.path).toBe("id");
    expect(findUnsafeInput({ blob: Buffer.from([0, 0xff]) }, 1)).toBeUndefined();
  });
});

describe("checkInput", () => {
  it("throws VALIDATION_FAILED naming the field in the message and in data", () => {
    const error = (() => {
      try {
        checkInput({ email: "a\u0000" }, 8);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TidingsError);
    expect((error as TidingsError).toBody()).toEqual({
      status: 400,
      code: "VALIDATION_FAILED",
      message:
        "The body has a value that cannot be accepted: email contains a NUL character (U+0000), which cannot be stored.",
      data: { email: { code: "nul_character", message: expect.any(String) } },
    });
  });

  it("uses the transport's code and names what was checked", () => {
    expect(() => checkInput([nested(3)], 2, "INVALID_MESSAGE", "broadcast message")).toThrow(
      /^The broadcast message has a value that cannot be accepted: 0.a nests deeper than 2/,
    );
  });
});
