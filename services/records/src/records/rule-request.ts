import type { RequestData } from "@tidings/filter";
import { TidingsError } from "@tidings/protocol";
import { type FieldErrors, findUnsafeInput } from "@tidings/service";
import type { FastifyRequest } from "fastify";

/** What a write rule reads of its request besides the body, which it reads once validated. */
export type RequestMeta = Omit<RequestData, "body">;

// A rule names a parameter or header by letters, digits and _: any other is of no use to keep.
const NAMEABLE = /^\w+$/;

// Parameters and headers given more than once count by their first value, as in PocketBase.
function first(value: unknown): string | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  return typeof item === "string" ? item : undefined;
}

// The values a rule can name, by name; a value PostgreSQL could not compare is an error.
function nameable(
  part: "query" | "headers",
  entries: Iterable<[string, unknown]>,
  errors: FieldErrors,
): Record<string, string> {
  // No prototype: a parameter named `__proto__` is kept like any other.
  const values: Record<string, string> = Object.create(null);
  for (const [name, raw] of entries) {
    const value = first(raw);
    if (value === undefined || !NAMEABLE.test(name)) continue;
    // The check every transport applies to bodies: the same codes and messages.
    const problem = findUnsafeInput(value, 1);
    if (problem === undefined) values[name] = value;
    else errors[`${part}.${name}`] = { code: problem.code, message: problem.message };
  }
  return values;
}

/**
 * The method, query parameters and headers of a write, as create, update and delete rules read
 * them (`@request.method`, `@request.query.<name>`, `@request.headers.<name>`): first values,
 * header names lowercased with `-` as `_` (`X-Token` is `x_token`). A value PostgreSQL could not
 * compare (a NUL, an unpaired surrogate) is `VALIDATION_FAILED`.
 */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const errors: FieldErrors = {};
  const query = nameable("query", Object.entries(request.query ?? {}), errors);
  const headers = nameable(
    "headers",
    Object.entries(request.headers).map(([name, value]) => [
      name.toLowerCase().replaceAll("-", "_"),
      value,
    ]),
    errors,
  );
  if (Object.keys(errors).length > 0)
    throw new TidingsError("VALIDATION_FAILED", "The request has invalid values.", errors);
  return { method: request.method, query, headers };
}
