import { type ErrorCode, TidingsError } from "@tidings/protocol";
import { envValue } from "./env-config.ts";
import type { FieldErrors } from "./validation.ts";

/**
 * How deep parsed input may nest by default: far more than any record or message needs, and far
 * below where code that walks a value recursively (`JSON.stringify` under a request's call stack,
 * zod, the database drivers) runs out of stack, which starts at about 3,000 levels.
 */
export const DEFAULT_JSON_MAX_DEPTH = 256;

/** The environment variable of the depth limit, read by every service that takes client input. */
export const jsonDepthEnv = {
  /** Deepest nesting of objects and arrays accepted in a request body or realtime message. */
  TIDINGS_JSON_MAX_DEPTH: envValue.int(DEFAULT_JSON_MAX_DEPTH, 16, 1_000),
};

/** What is wrong with a piece of input, and where: `path` names the field as validation does. */
export interface UnsafeInput {
  path: string;
  code: "nul_character" | "lone_surrogate" | "too_deep";
  message: string;
}

// PostgreSQL text and JSON cannot hold U+0000, and a surrogate without its pair has no UTF-8 form.
// Without the `u` flag the pattern sees UTF-16 code units, so it can tell a pair from a lone half.
const UNSAFE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "g");

const hex = (unit: string) => `U+${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;

function unsafeText(text: string): Omit<UnsafeInput, "path"> | undefined {
  const found = UNSAFE.exec(text)?.[0];
  if (found === undefined) return undefined;
  return found === "\0"
    ? {
        code: "nul_character",
        message: "contains a NUL character (U+0000), which cannot be stored",
      }
    : {
        code: "lone_surrogate",
        message: `contains an unpaired surrogate (${hex(found)}), which has no UTF-8 form`,
      };
}

// A path is built only for the one problem reported: each step links to its parent.
interface Step {
  key: string;
  parent: Step | undefined;
}

// Enough to find the field; a path as deep as the limit, or through long keys, is cut short.
const MAX_PATH_LENGTH = 200;

function pathOf(step: Step | undefined): string {
  const keys: string[] = [];
  for (let at = step; at; at = at.parent) keys.push(at.key);
  // A key with unsafe characters is named with them escaped, so the error itself is safe to show.
  const path = keys
    .reverse()
    .join(".")
    .replace(UNSAFE_ALL, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // Cut by code points: halving a pair would make the very character this check refuses.
  return path.length > MAX_PATH_LENGTH
    ? `${Array.from(path).slice(0, MAX_PATH_LENGTH).join("")}…`
    : path;
}

// Objects of any prototype are walked (Fastify's params are instances of a null-prototype class);
// binary data (a Socket.IO attachment) holds bytes, not text, and is a leaf.
function keysOf(value: unknown): string[] | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  return Object.keys(value);
}

/**
 * The first string (value or key) in `value` that contains U+0000 or an unpaired surrogate, or
 * the first object or array nested deeper than `maxDepth` (the outermost counts as 1). Walks with
 * a stack of its own, so no depth of input can overflow it.
 */
export function findUnsafeInput(value: unknown, maxDepth: number): UnsafeInput | undefined {
  const pending: { value: unknown; depth: number; at: Step | undefined }[] = [
    { value, depth: 1, at: undefined },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value === "string") {
      const problem = unsafeText(next.value);
      if (problem) return { path: pathOf(next.at) || "body", ...problem };
      continue;
    }
    const keys = keysOf(next.value);
    if (!keys) continue;
    if (next.depth > maxDepth) {
      const message = `nests deeper than ${maxDepth} levels of objects and arrays`;
      return { path: pathOf(next.at) || "body", code: "too_deep", message };
    }
    const container = next.value as Record<string, unknown>;
    for (const key of Array.isArray(container) ? [] : keys) {
      const problem = unsafeText(key);
      if (problem) {
        const path = pathOf({ key, parent: next.at });
        return { ...problem, path, message: `is a key that ${problem.message}` };
      }
    }
    // Pushed last to first, so values are checked in the order they were sent.
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      pending.push({ value: container[key], depth: next.depth + 1, at: { key, parent: next.at } });
    }
  }
  return undefined;
}

/**
 * Refuses input {@link findUnsafeInput} finds a problem in, before anything stores or logs it:
 * `VALIDATION_FAILED` (or the transport's `code`) naming the field in the message and in `data`.
 */
export function checkInput(
  value: unknown,
  maxDepth: number,
  code: ErrorCode = "VALIDATION_FAILED",
  what = "body",
): void {
  const problem = findUnsafeInput(value, maxDepth);
  if (!problem) return;
  throw new TidingsError(
    code,
    `The ${what} has a value that cannot be accepted: ${problem.path} ${problem.message}.`,
    // As validation errors list fields under `data`.
    { [problem.path]: { code: problem.code, message: problem.message } } satisfies FieldErrors,
  );
}
