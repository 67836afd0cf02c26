import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileLike } from "./like-pattern.ts";

describe("compileLike", () => {
  it("follows PocketBase's rule for ~: substring unless an unescaped % is present", () => {
    expect(compileLike("a_b", "auto", true).sql).toBe("%a\\_b%");
    expect(compileLike("a\\%b", "auto", true).sql).toBe("%a\\%b%");
    expect(compileLike("A%", "auto", true).sql).toBe("a%");
    expect(compileLike("a\\b", "auto", false).sql).toBe("%a\\\\b%");
    expect(compileLike("", "auto", true).sql).toBe("%");
  });

  it("reads FastSchema $like as a pattern and $contains as a substring", () => {
    expect(compileLike("a_%", "pattern", false).sql).toBe("a_%");
    expect(compileLike("trailing\\", "pattern", false).sql).toBe("trailing\\\\");
    expect(compileLike("a_%", "contains", false).sql).toBe("%a\\_\\%%");
  });

  it("matches _ against one code point, astral characters included", () => {
    expect(compileLike("a_b", "pattern", false).test("a😀b")).toBe(true);
    expect(compileLike("a__b", "pattern", false).test("a😀b")).toBe(false);
    expect(compileLike("%_", "pattern", false).test("😀")).toBe(true);
  });

  it("reads a pattern with a long run holding _ as a substring", () => {
    const long = `%${"_".repeat(65)}%`;
    expect(compileLike(long, "pattern", false).test("x".repeat(70))).toBe(false);
    expect(compileLike(long, "pattern", false).test(`a${long}b`)).toBe(true);
  });

  it("agrees with a backtracking reference matcher", () => {
    const reference = (pattern: string[], subject: string[]): boolean => {
      if (pattern.length === 0) return subject.length === 0;
      const [head, ...rest] = pattern;
      if (head === "%")
        return subject.some((_, i) => reference(rest, subject.slice(i))) || reference(rest, []);
      if (subject.length === 0) return false;
      return (head === "_" || head === subject[0]) && reference(rest, subject.slice(1));
    };
    const chars = fc.constantFrom("a", "b", "😀", "%", "_");
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 7 }),
        fc.array(fc.constantFrom("a", "b", "😀"), { maxLength: 8 }),
        (p, s) => {
          expect(compileLike(p.join(""), "pattern", false).test(s.join(""))).toBe(reference(p, s));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("stays fast on adversarial inputs", () => {
    const subject = "a".repeat(100_000);
    const started = performance.now();
    expect(compileLike(`%${"a".repeat(2000)}b%`, "pattern", true).test(subject)).toBe(false);
    expect(compileLike(`${"%a".repeat(500)}%b`, "pattern", false).test(subject)).toBe(false);
    expect(compileLike(`%${"a_".repeat(32)}b%`, "pattern", false).test(subject)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
