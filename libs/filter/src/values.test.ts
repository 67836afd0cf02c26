import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  compareCodePoints,
  jsonEqual,
  spellsNumber,
  valuesEqual,
} from "./values.ts";

describe("values", () => {
  it("orders strings by code point, as the C collation orders UTF-8", () => {
    const byCodePoints = (a: string, b: string) => {
      const x = Array.from(a, (c) => c.codePointAt(0) as number);
      const y = Array.from(b, (c) => c.codePointAt(0) as number);
      for (let i = 0; i < Math.min(x.length, y.length); i++)
        if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
      return x.length - y.length;
    };
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
      { numRuns: 2000 },
    );
    expect(compareCodePoints("\uE000", "😀")).toBeLessThan(0);
  });

  it("compares JSON structurally and treats null, missing and '' as one empty value", () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([null], [""])).toBe(false);
    expect(valuesEqual(undefined, "")).toBe(true);
    expect(valuesEqual(0, "")).toBe(false);
    expect(valuesEqual(-0, 0)).toBe(true);
    expect(canonicalJson({ b: 1, a: [true, null] })).toBe('{"a":[true,null],"b":1}');
  });

  it("reads numbers only in JSON syntax", () => {
    expect(spellsNumber("-1.5e3")).toBe(-1500);
    expect(spellsNumber("-0")).toBe(0);
    for (const text of ["", " 1", "1.", ".5", "0x10", "1e999", "Infinity", "01"])
      expect(spellsNumber(text), text).toBeNull();
  });
});
