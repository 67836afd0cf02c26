import { createHash } from "node:crypto";
import YAML from "yaml";

/**
 * Go template values as JavaScript values: maps are plain objects, Go ints are bigints (template
 * integer constants, `int64`, `add`), and numbers from values files are float64s, as in Helm.
 */

/** Renders a named template; how `include` reaches the template set. */
export type Include = (name: string, data: unknown) => string;

type TemplateFunction = (include: Include, ...args: unknown[]) => unknown;

/** Go's truth: false, 0, nil and empty strings, lists and maps are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * Go's `%v` of a float64, which is how Helm prints a number from values.yaml: exponent notation
 * from 1e+06 up (the reason the chart pipes numbers through `int64`).
 */
export function formatFloat(value: number): string {
  const [mantissa = "", exponent = "0"] = value.toExponential().split("e");
  const power = Number(exponent);
  if (value === 0 || (power >= -4 && power < 6)) return String(value);
  const digits = String(Math.abs(power)).padStart(2, "0");
  return `${mantissa}e${power < 0 ? "-" : "+"}${digits}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** sprig's strval: Go's `%v` of a scalar. */
export function stringValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatFloat(value);
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return "<nil>";
  // Go would print map[...] or [...]: never what a manifest wants.
  throw new Error(`cannot print a ${Array.isArray(value) ? "list" : "map"} as text; use toYaml`);
}

/** How `{{ value }}` prints: Helm turns a missing value into an empty string. */
export function printValue(value: unknown): string {
  return value === null || value === undefined ? "" : stringValue(value);
}

/** Go's strconv.Quote, which sprig's `quote` uses. */
function goQuote(text: string): string {
  const escapes: Record<string, string> = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
  };
  const body = [...text]
    .map((char) => {
      if (escapes[char]) return escapes[char];
      const code = char.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
    })
    .join("");
  return `"${body}"`;
}

/** cast.ToInt64, behind sprig's `int64` and `add`: floats truncate, bad strings give 0. */
function toInt(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  if (typeof value === "boolean") return value ? 1n : 0n;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  return 0n;
}

function kind(value: unknown): string {
  if (typeof value === "bigint") return "int";
  if (typeof value === "number") return "float64";
  if (value === null || value === undefined) return "nil";
  return typeof value;
}

/** Go's `eq`/`lt` refuse to compare an int with a float64, and so does this. */
function compare(a: unknown, b: unknown): number {
  if (kind(a) !== kind(b))
    throw new Error(`incompatible types for comparison: ${kind(a)} and ${kind(b)}`);
  if (isMap(a) || Array.isArray(a)) throw new Error("invalid type for comparison");
  return a === b ? 0 : (a as number) < (b as number) ? -1 : 1;
}

function sprintf(format: string, args: unknown[]): string {
  let next = 0;
  return format.replace(/%([%sdvq])/g, (_, verb: string) => {
    if (verb === "%") return "%";
    const arg = args[next++];
    if (verb === "d" && typeof arg !== "bigint") throw new Error(`%d of a ${kind(arg)}`);
    return verb === "q" ? goQuote(stringValue(arg)) : stringValue(arg);
  });
}

/** sprig's indent: every line, empty ones too, gets the padding. */
function indent(spaces: unknown, text: unknown): string {
  const pad = " ".repeat(Number(spaces));
  return pad + String(text).replaceAll("\n", `\n${pad}`);
}

/** Fills what `dst` lacks from each source, deeply; `dst` wins (sprig's `merge`). */
function merge(dst: Record<string, unknown>, ...sources: unknown[]): Record<string, unknown> {
  for (const source of sources) {
    if (!isMap(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      const held = dst[key];
      if (held === undefined) dst[key] = value;
      else if (isMap(held) && isMap(value)) merge(held, value);
    }
  }
  return dst;
}

/** The Helm and sprig functions the chart uses, with their argument order. */
export const FUNCTIONS: Record<string, TemplateFunction> = {
  include: (include, name, data) => include(String(name), data),
  toYaml: (_, value) =>
    YAML.stringify(value, (_key, v) => (typeof v === "bigint" ? Number(v) : v), {
      sortMapEntries: true,
      lineWidth: 0,
    }).replace(/\n$/, ""),
  indent: (_, spaces, text) => indent(spaces, text),
  nindent: (_, spaces, text) => `\n${indent(spaces, text)}`,
  quote: (_, ...values) =>
    values
      .filter((v) => v !== null && v !== undefined)
      .map((v) => goQuote(stringValue(v)))
      .join(" "),
  // Typed by hand: contextual typing skips a property named like Object.prototype's toString.
  toString: (_: Include, value: unknown) => stringValue(value),
  default: (_, fallback, ...given) => (truthy(given[0]) ? given[0] : fallback),
  required: (_, message, value) => {
    if (value === null || value === undefined || value === "") throw new Error(String(message));
    return value;
  },
  fail: (_, message) => {
    throw new Error(String(message));
  },
  empty: (_, value) => !truthy(value),
  not: (_, value) => !truthy(value),
  and: (_, ...values) => values.find((v) => !truthy(v)) ?? values.at(-1),
  or: (_, ...values) => values.find((v) => truthy(v)) ?? values.at(-1),
  eq: (_, a, ...others) => others.some((b) => compare(a, b) === 0),
  ne: (_, a, b) => compare(a, b) !== 0,
  lt: (_, a, b) => compare(a, b) < 0,
  gt: (_, a, b) => compare(a, b) > 0,
  int: (_, value) => toInt(value),
  int64: (_, value) => toInt(value),
  add: (_, ...values) => values.reduce<bigint>((sum, v) => sum + toInt(v), 0n),
  printf: (_, format, ...args) => sprintf(String(format), args),
  // fmt.Sprint: a space only between two operands that are not strings.
  print: (_, ...values) =>
    values
      .map((v, i) =>
        i > 0 && typeof v !== "string" && typeof values[i - 1] !== "string"
          ? ` ${stringValue(v)}`
          : stringValue(v),
      )
      .join(""),
  trunc: (_, length, text) => String(text).slice(0, Number(length)),
  trimSuffix: (_, suffix, text) =>
    String(text).endsWith(String(suffix))
      ? String(text).slice(0, -String(suffix).length || undefined)
      : String(text),
  trim: (_, text) => String(text).trim(),
  // A function, not a string: JavaScript would read `$$` or `$&` in one as a pattern, Go does not.
  replace: (_, from, to, text) => String(text).replaceAll(String(from), () => String(to)),
  contains: (_, part, text) => String(text).includes(String(part)),
  dict: (_, ...pairs) => {
    const map: Record<string, unknown> = {};
    for (let i = 0; i < pairs.length; i += 2) map[stringValue(pairs[i])] = pairs[i + 1];
    return map;
  },
  list: (_, ...values) => values,
  index: (_, collection, ...keys) =>
    keys.reduce((value, key) => {
      if (!isMap(value)) throw new Error(`index of a ${kind(value)}`);
      return Object.hasOwn(value, String(key)) ? value[String(key)] : undefined;
    }, collection),
  merge: (_, dst, ...sources) => merge(dst as Record<string, unknown>, ...sources),
  sha256sum: (_, text) => createHash("sha256").update(String(text)).digest("hex"),
};
