/**
 * The value semantics every back end follows; the SQL generator mirrors each function here.
 * Values are JSON values or `undefined` (a missing field).
 */

/** Null, missing and the empty string are all "empty", and equal to each other. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** Structural JSON equality: numbers by value, objects regardless of key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(b, key)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) {
      return false;
    }
  }
  return true;
}

/** The meaning of `=`: both empty, or JSON-equal. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  const aEmpty = isEmpty(a);
  const bEmpty = isEmpty(b);
  if (aEmpty || bEmpty) return aEmpty && bEmpty;
  return a === b || jsonEqual(a, b);
}

/**
 * Compares strings by Unicode code point, as PostgreSQL's "C" collation compares UTF-8 bytes.
 * Plain `<` compares UTF-16 units, which orders astral characters before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Orders two values of the same scalar type (numbers, strings by code point, false < true).
 * NaN when they are not comparable (different types, empty, arrays, objects), so that every
 * ordering test on the result is false.
 */
export function compareScalars(a: unknown, b: unknown): number {
  if (typeof a === "number") return typeof b === "number" ? a - b : Number.NaN;
  if (typeof a === "string") return typeof b === "string" ? compareCodePoints(a, b) : Number.NaN;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return Number.NaN;
}

/** Lowercases ASCII letters only, like SQLite's `lower()` and PostgreSQL's `translate`. */
export function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text;
}

/** `:lower`: strings are lowercased (ASCII), anything else is left as it is. */
export function lowerValue(value: unknown): unknown {
  return typeof value === "string" ? asciiLower(value) : value;
}

/** `:length`: the number of elements of an array, 0 for anything else. */
export function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

const NUMBER_SYNTAX = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** The number a string spells in JSON number syntax, or null. */
export function spellsNumber(text: string): number | null {
  if (text.length > 400 || !NUMBER_SYNTAX.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value + 0 : null;
}

/** Reads a property only if it is the object's own, so `constructor` or `__proto__` read nothing. */
export function ownValue(container: unknown, key: string): unknown {
  if (typeof container !== "object" || container === null || Array.isArray(container)) {
    return undefined;
  }
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

/** The array index a path segment spells (`0`, `1`, … without leading zeros), or -1. */
export function arrayIndex(segment: string): number {
  if (!/^(?:0|[1-9][0-9]{0,8})$/.test(segment)) return -1;
  return Number(segment);
}

/** Follows a json path: object keys, and canonical decimal indexes into arrays. */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current)) {
      const index = arrayIndex(segment);
      current = index < 0 ? undefined : current[index];
    } else {
      current = ownValue(current, segment);
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Turns a value from outside (an auth record) into a JSON value: Dates become canonical strings;
 * undefined, non-finite numbers and other non-JSON values become missing.
 */
export function normalizeExternal(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : undefined;
    case "object":
      if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
      }
      return value ?? null;
    default:
      return undefined;
  }
}

/** JSON text with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    const body = keys.map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    );
    return `{${body.join(",")}}`;
  }
  return value === undefined ? "null" : JSON.stringify(value);
}
