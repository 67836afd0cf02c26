import { z } from "zod";

/** A configuration that cannot run; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The result of reading the environment: typed values and unrecognised TIDINGS_* names. */
export interface ParsedEnv<T> {
  values: T;
  /** TIDINGS_* variables that no schema knows; most likely typos, worth a warning. */
  unknown: string[];
}

/**
 * Reads the variables named in `shape` from `env` (empty strings count as unset), validates them
 * and reports every problem at once, each with the variable's name.
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): ParsedEnv<z.infer<z.ZodObject<S>>> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(shape)) {
    const value = env[name];
    if (value !== undefined && value !== "") input[name] = value;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "config"}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const unknown = Object.keys(env).filter(
    (name) => name.startsWith("TIDINGS_") && !(name in shape),
  );
  return { values: result.data, unknown };
}

/** Builders for the kinds of values the services read from the environment. */
export const envValue = {
  /** A TCP port; 0 picks a free one. */
  port: (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback),
  /** An integer within bounds. */
  int: (fallback: number, min: number, max: number) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  /** true/false, also 1/0 and yes/no. */
  bool: (fallback: boolean) =>
    z
      .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
      .transform((v) => v === "true" || v === "1" || v === "yes")
      .default(fallback),
  /** A URL with one of the given schemes, e.g. ["postgres:", "postgresql:"]. */
  url: (protocols: string[]) =>
    z
      .string()
      .refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
        message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
      })
      .optional(),
  /** A comma-separated list of non-empty items. */
  list: () =>
    z
      .string()
      .transform((v) =>
        v
          .split(",")
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      )
      .optional(),
  logLevel: () =>
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

/** The prefix of Tidings' Redis channels and keys (gateways and evaluators must agree). */
export const redisPrefix = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/,
    "letters, digits, _ . and -, starting with a letter (max 32)",
  )
  .default("tidings");
