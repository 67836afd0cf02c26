import { FilterError, quote } from "./errors.ts";
import { checkStorableString } from "./lexer.ts";

/** A JSON value with the offset where each part starts, so errors can point into the text. */
export type PositionedJson =
  | { kind: "object"; entries: PositionedEntry[]; pos: number }
  | { kind: "array"; items: PositionedJson[]; pos: number }
  | { kind: "scalar"; value: string | number | boolean | null; pos: number };

/** One `"key": value` member of an object. */
export interface PositionedEntry {
  key: string;
  keyPos: number;
  value: PositionedJson;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

class JsonReader {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  read(): PositionedJson {
    const value = this.value(0);
    this.space();
    if (this.i < this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private fail(reason: string, at = this.i): never {
    throw new FilterError(reason, at);
  }

  private space(): void {
    for (;;) {
      const ch = this.text[this.i];
      if (ch !== " " && ch !== "\t" && ch !== "\n" && ch !== "\r") return;
      this.i++;
    }
  }

  private value(depth: number): PositionedJson {
    this.space();
    const pos = this.i;
    const ch = this.text[pos];
    if (ch === "{" || ch === "[") {
      if (depth + 1 > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
      this.i++;
      return ch === "{" ? this.object(pos, depth + 1) : this.array(pos, depth + 1);
    }
    if (ch === '"') return { kind: "scalar", value: this.string(), pos };
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, pos)) {
        this.i += word.length;
        return { kind: "scalar", value, pos };
      }
    }
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) {
      return { kind: "scalar", value: this.number(), pos };
    }
    return this.fail(ch === undefined ? "unexpected end of JSON" : `unexpected ${quote(ch)}`);
  }

  private object(pos: number, depth: number): PositionedJson {
    const entries: PositionedEntry[] = [];
    const seen = new Set<string>();
    this.space();
    if (this.text[this.i] === "}") {
      this.i++;
      return { kind: "object", entries, pos };
    }
    for (;;) {
      this.space();
      const keyPos = this.i;
      if (this.text[keyPos] !== '"') this.fail("expected a quoted key");
      const key = this.string();
      if (seen.has(key)) this.fail(`duplicate key ${quote(key)}`, keyPos);
      seen.add(key);
      this.space();
      if (this.text[this.i] !== ":") this.fail('expected ":"');
      this.i++;
      entries.push({ key, keyPos, value: this.value(depth) });
      this.space();
      const ch = this.text[this.i++];
      if (ch === "}") return { kind: "object", entries, pos };
      if (ch !== ",") this.fail('expected "," or "}"', this.i - 1);
    }
  }

  private array(pos: number, depth: number): PositionedJson {
    const items: PositionedJson[] = [];
    this.space();
    if (this.text[this.i] === "]") {
      this.i++;
      return { kind: "array", items, pos };
    }
    for (;;) {
      items.push(this.value(depth));
      this.space();
      const ch = this.text[this.i++];
      if (ch === "]") return { kind: "array", items, pos };
      if (ch !== ",") this.fail('expected "," or "]"', this.i - 1);
    }
  }

  private string(): string {
    const start = this.i++;
    let out = "";
    let chunk = this.i;
    for (;;) {
      const c = this.text.charCodeAt(this.i);
      if (Number.isNaN(c)) this.fail("unterminated string", start);
      if (c < 0x20) this.fail("control character in string");
      if (c === 0x22) break;
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += this.text.slice(chunk, this.i);
      const esc = this.text[this.i + 1] ?? "";
      if (esc === "u") {
        const hex = this.text.slice(this.i + 2, this.i + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail("invalid \\u escape");
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.i += 6;
      } else {
        const decoded = ESCAPES[esc];
        if (decoded === undefined) this.fail("invalid escape");
        out += decoded;
        this.i += 2;
      }
      chunk = this.i;
    }
    out += this.text.slice(chunk, this.i);
    this.i++;
    checkStorableString(out, start);
    return out;
  }

  private number(): number {
    const start = this.i;
    const digitsFrom = (from: number): number => {
      let j = from;
      for (let c = this.text.charCodeAt(j); c >= 48 && c <= 57; c = this.text.charCodeAt(++j));
      return j;
    };
    let j = this.text[start] === "-" ? start + 1 : start;
    const intEnd = digitsFrom(j);
    if (intEnd === j || (this.text[j] === "0" && intEnd > j + 1))
      this.fail("invalid number", start);
    j = intEnd;
    if (this.text[j] === ".") {
      const fracEnd = digitsFrom(j + 1);
      if (fracEnd === j + 1) this.fail("invalid number", start);
      j = fracEnd;
    }
    if (this.text[j] === "e" || this.text[j] === "E") {
      let k = j + 1;
      if (this.text[k] === "+" || this.text[k] === "-") k++;
      const expEnd = digitsFrom(k);
      if (expEnd === k) this.fail("invalid number", start);
      j = expEnd;
    }
    this.i = j;
    const value = Number(this.text.slice(start, j));
    if (!Number.isFinite(value)) this.fail("number out of range", start);
    return value === 0 ? 0 : value;
  }
}

/** Parses JSON text, keeping offsets; rejects duplicate keys and nesting past `maxDepth`. */
export function readJson(text: string, maxDepth: number): PositionedJson {
  return new JsonReader(text, maxDepth).read();
}

/** Wraps an already-parsed value; every position is 0 since there is no text to point into. */
export function positionValue(value: unknown, maxDepth: number, depth = 0): PositionedJson {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    if (typeof value === "string") checkStorableString(value, 0);
    return { kind: "scalar", value, pos: 0 };
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new FilterError("number out of range", 0);
    return { kind: "scalar", value: value === 0 ? 0 : value, pos: 0 };
  }
  if (typeof value === "object") {
    if (depth + 1 > maxDepth) throw new FilterError(`nesting deeper than ${maxDepth}`, 0);
    if (Array.isArray(value)) {
      return {
        kind: "array",
        items: value.map((item) => positionValue(item, maxDepth, depth + 1)),
        pos: 0,
      };
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const entries = Object.entries(value).map(([key, item]) => ({
        key,
        keyPos: 0,
        value: positionValue(item, maxDepth, depth + 1),
      }));
      return { kind: "object", entries, pos: 0 };
    }
  }
  throw new FilterError("the filter is not a JSON value", 0);
}
