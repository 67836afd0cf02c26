import type { FilterAst, FilterNode, Modifier, OperandNode, Operator } from "./ast.ts";
import { MACRO_NAMES, type MacroName } from "./dates.ts";
import { FilterError, quote } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";
import { type FilterLimits, resolveLimits } from "./limits.ts";
import type { RequestPart } from "./schema.ts";

const MODIFIERS: ReadonlySet<string> = new Set(["lower", "length", "each", "isset", "changed"]);
const REQUEST_PARTS: ReadonlySet<string> = new Set(["body", "query", "headers"]);
const MACROS: ReadonlySet<string> = new Set(MACRO_NAMES);

function describe(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "end of filter";
    case "ident":
      return quote(token.text);
    case "string":
      return "string";
    case "number":
      return quote(token.text);
    case "op":
      return quote(token.text);
    case "and":
      return '"&&"';
    case "or":
      return '"||"';
    default:
      return quote(token.kind);
  }
}

class Parser {
  private index = 0;
  private terms = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly limits: FilterLimits,
  ) {}

  parse(): FilterAst {
    if (this.peek().kind === "eof") return { type: "const", value: true, pos: 0 };
    const node = this.parseOr(0);
    const rest = this.peek();
    if (rest.kind !== "eof") throw new FilterError(`unexpected ${describe(rest)}`, rest.pos);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    return this.tokens[this.index++] as Token;
  }

  private parseOr(depth: number): FilterNode {
    const first = this.parseAnd(depth);
    if (this.peek().kind !== "or") return first;
    const items = [first];
    while (this.peek().kind === "or") {
      this.index++;
      items.push(this.parseAnd(depth));
    }
    return { type: "or", items, pos: first.pos };
  }

  private parseAnd(depth: number): FilterNode {
    const first = this.parsePrimary(depth);
    if (this.peek().kind !== "and") return first;
    const items = [first];
    while (this.peek().kind === "and") {
      this.index++;
      items.push(this.parsePrimary(depth));
    }
    return { type: "and", items, pos: first.pos };
  }

  private parsePrimary(depth: number): FilterNode {
    const token = this.peek();
    if (token.kind !== "(") return this.parseComparison();
    if (depth + 1 > this.limits.maxDepth) {
      throw new FilterError(`nesting deeper than ${this.limits.maxDepth}`, token.pos);
    }
    this.index++;
    const inner = this.parseOr(depth + 1);
    const close = this.next();
    if (close.kind !== ")") {
      throw new FilterError(`expected ")" but found ${describe(close)}`, close.pos);
    }
    return inner;
  }

  private parseComparison(): FilterNode {
    const left = this.parseOperand();
    const opToken = this.next();
    if (opToken.kind !== "op") {
      throw new FilterError(`expected an operator but found ${describe(opToken)}`, opToken.pos);
    }
    const right = this.parseOperand();
    if (++this.terms > this.limits.maxTerms) {
      throw new FilterError(`more than ${this.limits.maxTerms} conditions`, left.pos);
    }
    const any = opToken.text.startsWith("?");
    const op = (any ? opToken.text.slice(1) : opToken.text) as Operator;
    return { type: "cmp", op, any, left, right, like: "auto", fold: true, pos: opToken.pos };
  }

  private parseOperand(): OperandNode {
    const token = this.next();
    switch (token.kind) {
      case "string":
        return { type: "literal", value: token.value, pos: token.pos };
      case "number":
        return { type: "literal", value: token.value, pos: token.pos };
      case "ident":
        return this.identifier(token.text, token.modifier, token.pos);
      default:
        throw new FilterError(`expected a value but found ${describe(token)}`, token.pos);
    }
  }

  private identifier(text: string, rawModifier: string | null, pos: number): OperandNode {
    if (rawModifier !== null && !MODIFIERS.has(rawModifier)) {
      throw new FilterError(`unknown modifier ${quote(`:${rawModifier}`)}`, pos + text.length);
    }
    const modifier = rawModifier as Modifier | null;
    const plain = (node: OperandNode): OperandNode => {
      if (modifier !== null) {
        throw new FilterError(`${quote(text)} takes no modifier`, pos + text.length);
      }
      return node;
    };
    if (text === "true" || text === "false") {
      return plain({ type: "literal", value: text === "true", pos });
    }
    if (text === "null") return plain({ type: "literal", value: null, pos });
    if (!text.startsWith("@")) return { type: "field", path: text.split("."), modifier, pos };
    const parts = text.slice(1).split(".");
    if (parts[0] === "request") {
      if (parts[1] === "auth" && parts.length > 2) {
        return { type: "auth", path: parts.slice(2), modifier, pos };
      }
      if (parts[1] === "context" && parts.length === 2) return { type: "context", modifier, pos };
      if (parts[1] === "method" && parts.length === 2) return { type: "method", modifier, pos };
      if (REQUEST_PARTS.has(parts[1] ?? "") && parts.length > 2) {
        const part = parts[1] as RequestPart;
        return { type: "request", part, path: parts.slice(2), modifier, pos };
      }
    }
    if (parts.length === 1 && MACROS.has(text.slice(1))) {
      return plain({ type: "macro", name: text.slice(1) as MacroName, pos });
    }
    throw new FilterError(`unknown identifier ${quote(text)}`, pos);
  }
}

/**
 * Parses PocketBase filter syntax (`status = 'active' && (score > 5 || tags ?= 'x')`). Empty or
 * whitespace-only text matches everything. Throws {@link FilterError} on malformed text or when
 * a limit is exceeded.
 */
export function parseFilter(text: string, limits?: Partial<FilterLimits>): FilterAst {
  const resolved = resolveLimits(limits);
  if (text.length > resolved.maxLength) {
    throw new FilterError(
      `filter longer than ${resolved.maxLength} characters`,
      resolved.maxLength,
    );
  }
  return new Parser(tokenize(text), resolved).parse();
}
