import { TidingsError } from "@tidings/protocol";

/**
 * A parsed `fields` selection: at each level, whether every key is kept (`*`, or a path that ends
 * here) and the keys that are narrowed further (`expand.author.name`).
 */
export interface FieldsPick {
  all: boolean;
  keys: Map<string, FieldsPick>;
}

/** Longest `fields` text accepted. */
export const MAX_FIELDS_LENGTH = 2_000;
/** Deepest path accepted (`expand.author.expand.org.name` is 5). */
const MAX_PATH_DEPTH = 12;
const SEGMENT = /^(?:[A-Za-z0-9_]{1,64}|\*)$/;

function invalid(message: string): TidingsError {
  return new TidingsError("VALIDATION_FAILED", "The query has invalid or missing values.", {
    fields: { code: "invalid_fields", message },
  });
}

/**
 * Parses `fields` (PocketBase's syntax): comma-separated field names or dotted paths into nested
 * objects (`id,title,expand.author.name`), `*` for every key of a level. Modifiers such as
 * `:excerpt(…)` are not supported. Blank means no selection (undefined). Bad text is
 * `VALIDATION_FAILED` on `fields`.
 */
export function parseFields(text: string | undefined): FieldsPick | undefined {
  if (text === undefined || !text.trim()) return undefined;
  if (text.length > MAX_FIELDS_LENGTH) throw invalid(`at most ${MAX_FIELDS_LENGTH} characters`);
  const root: FieldsPick = { all: false, keys: new Map() };
  for (const entry of text.split(",")) {
    const path = entry.trim();
    if (!path) continue;
    const segments = path.split(".");
    if (segments.length > MAX_PATH_DEPTH || !segments.every((s) => SEGMENT.test(s)))
      throw invalid(
        `"${path.slice(0, 100)}" is not a field name or path (letters, digits and _ separated by dots, or *); modifiers are not supported`,
      );
    let node = root;
    for (const segment of segments) {
      if (segment === "*") {
        node.all = true;
        break;
      }
      let next = node.keys.get(segment);
      if (!next) {
        next = { all: false, keys: new Map() };
        node.keys.set(segment, next);
      }
      node = next;
    }
    if (segments.at(-1) !== "*") node.all = true;
  }
  return root.all || root.keys.size > 0 ? root : undefined;
}

/**
 * Keeps only the selected keys of a JSON value: objects are narrowed by key, arrays item by item,
 * other values are kept whole. Keys that are not there are simply absent.
 */
export function pickFields(value: unknown, pick: FieldsPick): unknown {
  if (Array.isArray(value)) return value.map((item) => pickFields(item, pick));
  if (value === null || typeof value !== "object") return value;
  const picked: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const narrower = pick.keys.get(key);
    if (narrower) picked[key] = narrower.keys.size > 0 ? pickFields(inner, narrower) : inner;
    else if (pick.all) picked[key] = inner;
  }
  return picked;
}
