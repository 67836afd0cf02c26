import { FilterError, quote } from "./errors.ts";

/** A token of PocketBase filter syntax; `pos` is its 0-based start offset. */
export type Token =
  | { kind: "ident"; text: string; modifier: string | null; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "number"; value: number; text: string; pos: number }
  | { kind: "op"; text: string; pos: number }
  | { kind: "and" | "or" | "(" | ")" | "eof"; pos: number };

const OPERATORS = new Set(["=", "!=", "<", "<=", ">", ">=", "~", "!~"]);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isOperatorChar(ch: string): boolean {
  return ch === "=" || ch === "!" || ch === "<" || ch === ">" || ch === "~" || ch === "?";
}

/** Human-readable form of the character at `pos` for "unexpected" messages. */
function describeChar(text: string, pos: number): string {
  const cp = text.codePointAt(pos) ?? 0;
  return quote(String.fromCodePoint(cp));
}

/**
 * Why PostgreSQL could not hold `text`: a NUL character (text cannot hold it) or an unpaired
 * surrogate (it has no UTF-8 form); null when it can. Such a value could never be stored, and
 * would compare differently in SQL.
 */
function unstorable(text: string): "NUL character" | "unpaired surrogate" | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return "NUL character";
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
      else return "unpaired surrogate";
    }
  }
  return null;
}

/** Rejects a string PostgreSQL could not hold (see {@link unstorable}). */
export function checkStorableString(value: string, pos: number): void {
  const problem = unstorable(value);
  if (problem !== null) throw new FilterError(`${problem} in string`, pos);
}

function readString(text: string, start: number): { value: string; end: number } {
  const q = text[start];
  let value = "";
  let i = start + 1;
  let chunk = i;
  while (i < text.length) {
    const ch = text[i];
    if (ch === q) {
      value += text.slice(chunk, i);
      checkStorableString(value, start);
      return { value, end: i + 1 };
    }
    // `\'` (or `\"`) is the quote and `\\` one backslash; any other backslash stays, so LIKE
    // escapes such as `\%` reach the pattern unchanged.
    if (ch === "\\" && (text[i + 1] === q || text[i + 1] === "\\")) {
      value += text.slice(chunk, i) + text[i + 1];
      i += 2;
      chunk = i;
      continue;
    }
    i++;
  }
  throw new FilterError("unterminated string", start);
}

function readNumber(text: string, start: number): { value: number; text: string; end: number } {
  let i = start;
  if (text[i] === "-") i++;
  const intStart = i;
  while (isDigit(text.charCodeAt(i))) i++;
  if (i === intStart) throw new FilterError("invalid number", start);
  if (text[i] === "." && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (text[i] === "e" || text[i] === "E") {
    let j = i + 1;
    if (text[j] === "+" || text[j] === "-") j++;
    if (isDigit(text.charCodeAt(j))) {
      while (isDigit(text.charCodeAt(j))) j++;
      i = j;
    }
  }
  if (isWordChar(text.charCodeAt(i)) || text[i] === ".") {
    throw new FilterError("invalid number", start);
  }
  const literal = text.slice(start, i);
  const value = Number(literal);
  if (!Number.isFinite(value)) throw new FilterError(`number out of range ${literal}`, start);
  return { value: value === 0 ? 0 : value, text: literal, end: i };
}

function readIdent(text: string, start: number): { token: Token; end: number } {
  let i = start + (text[start] === "@" ? 1 : 0);
  for (;;) {
    const segment = i;
    while (isWordChar(text.charCodeAt(i))) i++;
    if (i === segment) throw new FilterError("invalid identifier", segment);
    if (text[i] !== ".") break;
    i++;
  }
  let modifier: string | null = null;
  if (text[i] === ":") {
    const at = ++i;
    while (isWordChar(text.charCodeAt(i))) i++;
    if (i === at) throw new FilterError('missing modifier name after ":"', at - 1);
    modifier = text.slice(at, i);
  }
  const name = text.slice(start, modifier === null ? i : i - modifier.length - 1);
  return { token: { kind: "ident", text: name, modifier, pos: start }, end: i };
}

/** Splits PocketBase filter text into tokens; the last one is `eof`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const c = text.charCodeAt(i);
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "(" || ch === ")") {
      tokens.push({ kind: ch, pos: i });
      i++;
    } else if ((ch === "&" || ch === "|") && text[i + 1] === ch) {
      tokens.push({ kind: ch === "&" ? "and" : "or", pos: i });
      i += 2;
    } else if (ch === "'" || ch === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: "string", value, pos: i });
      i = end;
    } else if (isDigit(c) || (ch === "-" && isDigit(text.charCodeAt(i + 1)))) {
      const { value, text: literal, end } = readNumber(text, i);
      tokens.push({ kind: "number", value, text: literal, pos: i });
      i = end;
    } else if (ch === "@" || ch === "_" || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      const { token, end } = readIdent(text, i);
      tokens.push(token);
      i = end;
    } else if (isOperatorChar(ch)) {
      let end = i;
      while (end < text.length && isOperatorChar(text[end] as string)) end++;
      const op = text.slice(i, end);
      const plain = op.startsWith("?") ? op.slice(1) : op;
      if (!OPERATORS.has(plain)) throw new FilterError(`unknown operator ${quote(op)}`, i);
      tokens.push({ kind: "op", text: op, pos: i });
      i = end;
    } else {
      throw new FilterError(`unexpected ${describeChar(text, i)}`, i);
    }
  }
  tokens.push({ kind: "eof", pos: text.length });
  return tokens;
}
