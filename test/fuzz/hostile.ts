/**
 * Hostile input for the fuzz tests: a valid input (a template) with one thing put into it that no
 * transport may let through to the database or a log — a string with U+0000 or an unpaired
 * surrogate, as a value or as a key, or a value nested deeper than the server's JSON depth limit.
 */
import fc from "fast-check";

/**
 * What is put into the template: a value of hostile text (`nul`: with U+0000, `lone`: with a
 * surrogate alone), a key of such text (`nulKey`, `loneKey`), or a value nested too deep.
 */
export type PoisonKind = "nul" | "lone" | "nulKey" | "loneKey" | "deep";

const KINDS = ["nul", "lone", "nulKey", "loneKey", "deep"] as const;

/** Where in a template a poison goes: the keys from its root. */
export type Path = readonly (string | number)[];

/** The template with the poison in: its value, and its JSON text (deep values as text). */
export interface Poisoned {
  kind: PoisonKind;
  path: Path;
  /** The poisoned value at `at` (default: the root). */
  value(at?: Path): unknown;
  /** JSON text of the poisoned value at `at`: `JSON.stringify` could not write a deep value. */
  json(at?: Path): string;
  /** How fast-check shows a failing input. */
  [fc.toStringMethod](): string;
}

// Stands where the deep value goes until it is written out.
const DEEP = "\uE000deep\uE000";

const LONE_UNITS = fc.oneof(
  fc.constantFrom(0xd800, 0xdbff, 0xdc00, 0xdfff),
  fc.integer({ min: 0xd800, max: 0xdfff }),
);

// Well-formed text around the bad unit (accents, emoji: whole pairs), so a surrogate put between
// stays alone: a whole pair neither ends with a high half nor starts with a low one.
const around = fc.string({ unit: "grapheme", maxLength: 8 });

/** Text holding at least one U+0000 (`nul`) or unpaired surrogate (`lone`). */
function hostileText(kind: "nul" | "lone"): fc.Arbitrary<string> {
  const bad =
    kind === "nul" ? fc.constant("\u0000") : LONE_UNITS.map((unit) => String.fromCharCode(unit));
  return fc.tuple(around, bad, around).map(([before, unit, after]) => `${before}${unit}${after}`);
}

/** Nested arrays (`shape` 0), objects (1) or both in turn (2, 3), `levels` deep, around a string. */
function deepJson(levels: number, shape: number): string {
  let open = "";
  let close = "";
  for (let i = 0; i < levels; i++) {
    const array = shape === 0 || (shape === 2 && i % 2 === 0) || (shape === 3 && i % 2 === 1);
    open += array ? "[" : '{"k":';
    close = (array ? "]" : "}") + close;
  }
  return `${open}"x"${close}`;
}

function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
    value,
  );
}

function withPoison(template: unknown, path: Path, poison: (node: unknown) => unknown): unknown {
  if (path.length === 0) return poison(template);
  // Through JSON, not structuredClone: a template may use one object in two places.
  const copy = JSON.parse(JSON.stringify(template)) as Record<string | number, unknown>;
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  parent[last] = poison(parent[last]);
  return copy;
}

/** Every place a poison may go in `template`: values (and the root) for text and depth, objects for keys. */
function places(template: unknown, path: Path = []): { path: Path; object: boolean }[] {
  const object = typeof template === "object" && template !== null && !Array.isArray(template);
  const here = { path, object };
  if (typeof template !== "object" || template === null) return [here];
  const entries = Array.isArray(template)
    ? template.map((child, index) => [index, child] as const)
    : Object.entries(template);
  return [here, ...entries.flatMap(([key, child]) => places(child, [...path, key]))];
}

/** Which poisons a target takes where (some transports cannot carry some of them). */
export type PoisonFilter = (path: Path, kind: PoisonKind) => boolean;

/**
 * Poisoned copies of `template`: one poison at one place, `deep` values from just past
 * `maxDepth` to 3,000 levels (the finding: 3,000 overflowed the stack in the database layer).
 */
export function poisoned(
  template: unknown,
  maxDepth: number,
  allowed: PoisonFilter = () => true,
): fc.Arbitrary<Poisoned> {
  const choices = places(template).flatMap(({ path, object }) =>
    KINDS.filter((kind) => (kind.endsWith("Key") ? object : true) && allowed(path, kind)).map(
      (kind) => ({ path, kind }),
    ),
  );
  if (choices.length === 0) throw new Error("the template has no place for a poison");
  return fc
    .constantFrom(...choices)
    .chain(({ path, kind }) =>
      fc
        .tuple(
          kind === "deep" ? fc.constant("") : hostileText(kind.startsWith("nul") ? "nul" : "lone"),
          fc.integer({ min: maxDepth + 1, max: 3_000 }),
          fc.integer({ min: 0, max: 3 }),
        )
        .map(([text, levels, shape]) => build(template, path, kind, text, levels, shape)),
    );
}

function build(
  template: unknown,
  path: Path,
  kind: PoisonKind,
  text: string,
  levels: number,
  shape: number,
): Poisoned {
  const value = withPoison(template, path, (node) => {
    if (kind.endsWith("Key")) return { ...(node as object), [text]: "x" };
    return kind === "deep" ? DEEP : text;
  });
  const deep = kind === "deep" ? deepJson(levels, shape) : "";
  const json = (where: Path = []) =>
    JSON.stringify(at(value, where)).replace(JSON.stringify(DEEP), () => deep);
  return {
    kind,
    path,
    value: (where: Path = []) => JSON.parse(json(where)),
    json,
    [fc.toStringMethod]: () =>
      `${kind} at ${JSON.stringify(path)}: ${kind === "deep" ? `${levels} levels` : JSON.stringify(text)}`,
  };
}
