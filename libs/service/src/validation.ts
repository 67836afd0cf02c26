import { TidingsError } from "@tidings/protocol";
import type { z } from "zod";

/** Per-field problems in the shape clients get under `data`: `{ "fields.0.name": {code, message} }`. */
export type FieldErrors = Record<string, { code: string; message: string }>;

/** Turns zod issues into field errors, keeping the first problem of each path. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const path = issue.path.map(String).join(".") || "body";
    errors[path] ??= { code: issue.code, message: issue.message };
  }
  return errors;
}

/** Validates untrusted input; a mismatch is a `VALIDATION_FAILED` error listing each bad field. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what = "body",
): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new TidingsError(
    "VALIDATION_FAILED",
    `The ${what} has invalid or missing values.`,
    fieldErrors(result.error.issues),
  );
}
