import { describe, expect, it } from "vitest";
import type { ComparisonNode, FilterNode } from "./ast.ts";
import { FilterError } from "./errors.ts";
import { parseFilter } from "./parser.ts";

function cmp(text: string): ComparisonNode {
  const node = parseFilter(text);
  if (node.type !== "cmp") throw new Error(`not a comparison: ${node.type}`);
  return node;
}

function error(text: string, limits?: Parameters<typeof parseFilter>[1]): FilterError {
  try {
    parseFilter(text, limits);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

function shape(node: FilterNode): unknown {
  if (node.type === "cmp") return `${JSON.stringify(node.left)}${node.op}`;
  if (node.type === "const") return node.value;
  return { [node.type]: node.items.map(shape) };
}

describe("parseFilter", () => {
  it("reads every operator and its any-of form", () => {
    for (const op of ["=", "!=", "<", "<=", ">", ">=", "~", "!~"]) {
      expect(cmp(`a ${op} 1`)).toMatchObject({ op, any: false });
      expect(cmp(`a ?${op} 1`)).toMatchObject({ op, any: true });
    }
  });

  it("binds && tighter than || and honours parentheses", () => {
    const plain = parseFilter("a = 1 || b = 2 && c = 3");
    expect(plain.type).toBe("or");
    const grouped = parseFilter("(a = 1 || b = 2) && c = 3");
    expect(grouped.type).toBe("and");
    expect(shape(grouped)).toEqual({
      and: [{ or: [expect.any(String), expect.any(String)] }, expect.any(String)],
    });
  });

  it("matches everything when the filter is empty, blank or only a comment", () => {
    for (const text of ["", "   ", "\n\t", "// nothing"]) {
      expect(parseFilter(text)).toEqual({ type: "const", value: true, pos: 0 });
    }
  });

  it("reads quoted strings with escaped quotes and backslashes, keeping LIKE escapes", () => {
    expect(cmp(`a = 'it\\'s'`).right).toMatchObject({ value: "it's" });
    expect(cmp(`a = "say \\"hi\\""`).right).toMatchObject({ value: 'say "hi"' });
    expect(cmp(`a = 'back\\\\slash'`).right).toMatchObject({ value: "back\\slash" });
    expect(cmp(`a ~ '50\\%'`).right).toMatchObject({ value: "50\\%" });
    expect(cmp(`a = "it's"`).right).toMatchObject({ value: "it's" });
  });

  it("reads numbers, booleans and null", () => {
    expect(cmp("a = -1.5e3").right).toMatchObject({ type: "literal", value: -1500 });
    expect(cmp("a = 0.25").right).toMatchObject({ value: 0.25 });
    expect(cmp("a = true").right).toMatchObject({ value: true });
    expect(cmp("a = false").right).toMatchObject({ value: false });
    expect(cmp("a = null").right).toMatchObject({ value: null });
  });

  it("reads fields, json paths, request values, macros and modifiers", () => {
    expect(cmp("meta.author.name = 1").left).toMatchObject({
      type: "field",
      path: ["meta", "author", "name"],
    });
    expect(cmp("title:lower = 1").left).toMatchObject({ type: "field", modifier: "lower" });
    expect(cmp("tags:length > 1").left).toMatchObject({ modifier: "length" });
    expect(cmp("a = @request.auth.id").right).toMatchObject({ type: "auth", path: ["id"] });
    expect(cmp("a = @request.auth.name:lower").right).toMatchObject({
      type: "auth",
      modifier: "lower",
    });
    expect(cmp("a = @request.context").right).toMatchObject({ type: "context" });
    for (const macro of [
      "now",
      "todayStart",
      "todayEnd",
      "monthStart",
      "monthEnd",
      "yearStart",
      "yearEnd",
    ]) {
      expect(cmp(`a < @${macro}`).right).toMatchObject({ type: "macro", name: macro });
    }
  });

  it("reports the offending token and its offset", () => {
    expect(error("title = 'a' )").message).toBe('unexpected ")" at 12');
    expect(error("(title = 'a'").message).toBe('expected ")" but found end of filter at 12');
    expect(error("title 'a'").message).toBe("expected an operator but found string at 6");
    expect(error("title == 'a'").message).toBe('unknown operator "==" at 6');
    expect(error("title = ").message).toBe("expected a value but found end of filter at 8");
    expect(error("title = 'abc").message).toBe("unterminated string at 8");
    expect(error("a = 1 & b = 2").message).toBe('unexpected "&" at 6');
    expect(error("a = 1.").message).toBe("invalid number at 4");
    expect(error("a = 1e999").message).toBe("number out of range 1e999 at 4");
    expect(error("a:upper = 1").message).toBe('unknown modifier ":upper" at 1');
    expect(error("a = true:lower").message).toBe('"true" takes no modifier at 8');
    expect(error("a = @request.data.x").message).toBe('unknown identifier "@request.data.x" at 4');
    expect(error("a = @collection.users.id").code).toBe("INVALID_FILTER");
    expect(error("a..b = 1").message).toBe("invalid identifier at 2");
  });

  it("rejects strings PostgreSQL could not store", () => {
    expect(error("a = 'x\u0000'").message).toBe("NUL character in string at 4");
    expect(error("a = '\ud800'").message).toBe("unpaired surrogate in string at 4");
    expect(cmp("a = '😀'").right).toMatchObject({ value: "😀" });
  });

  it("enforces the length, depth and term limits with a position", () => {
    expect(error("a = 1".padEnd(4097)).message).toBe("filter longer than 4096 characters at 4096");
    expect(error(`${"(".repeat(33)}a = 1${")".repeat(33)}`).message).toBe(
      "nesting deeper than 32 at 32",
    );
    expect(parseFilter(`${"(".repeat(32)}a = 1${")".repeat(32)}`).type).toBe("cmp");
    const many = Array.from({ length: 101 }, (_, i) => `a = ${i}`).join(" && ");
    expect(error(many).message).toBe(`more than 100 conditions at ${many.lastIndexOf("a = 100")}`);
    expect(error("a = 1 && b = 2", { maxTerms: 1 }).position).toBe(9);
  });
});
