import type { FastifyInstance } from "fastify";
import { z } from "zod";

/** Origins whose browser pages may call the API: any (`*`) or these exactly. */
export type CorsOrigins = "*" | readonly string[];

// An origin is a scheme, a host and maybe a port: what a browser sends in `Origin`.
function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
}

/** Environment variable of cross-origin access, read by the services that serve browsers. */
export const corsEnv = {
  /**
   * `*` (the default, as PocketBase): pages of any origin may call the API — tokens travel in
   * headers, not cookies, so this exposes nothing a page could not already send. Otherwise a
   * comma-separated list of origins such as `https://app.example.com,http://localhost:5173`.
   */
  TIDINGS_CORS_ORIGINS: z
    .string()
    .transform((value, context): CorsOrigins => {
      if (value.trim() === "*") return "*";
      const origins = value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      const bad = origins.filter((origin) => !isOrigin(origin));
      if (origins.length === 0 || bad.length > 0) {
        context.addIssue({
          code: "custom",
          message: `expected * or origins like https://app.example.com, got ${bad.join(", ") || "nothing"}`,
        });
        return z.NEVER;
      }
      return origins;
    })
    .default("*"),
};

/** The `Access-Control-Allow-Origin` to answer `origin` with, or undefined when it may not. */
export function allowedOrigin(
  origins: CorsOrigins,
  origin: string | undefined,
): string | undefined {
  if (origin === undefined) return undefined;
  if (origins === "*") return "*";
  return origins.includes(origin) ? origin : undefined;
}

// Preflight answers may be cached by the browser this long (seconds).
const PREFLIGHT_MAX_AGE = "86400";

/**
 * Answers CORS on every route of `app`: preflight requests get 204 with the methods and headers
 * they ask for, other requests from an allowed origin get `Access-Control-Allow-Origin`. A
 * request from another origin is served as usual without the header, so the browser withholds
 * the answer from the page.
 */
export function registerCors(app: FastifyInstance, origins: CorsOrigins): void {
  app.addHook("onRequest", async (request, reply) => {
    const allowed = allowedOrigin(origins, request.headers.origin);
    if (allowed === undefined) return;
    reply.header("access-control-allow-origin", allowed);
    if (allowed !== "*") reply.header("vary", "Origin");
    const requestedMethod = request.headers["access-control-request-method"];
    if (request.method !== "OPTIONS" || requestedMethod === undefined) return;
    const requestedHeaders = request.headers["access-control-request-headers"];
    reply.header("access-control-allow-methods", "GET, HEAD, POST, PUT, PATCH, DELETE");
    if (requestedHeaders) reply.header("access-control-allow-headers", requestedHeaders);
    reply.header("access-control-max-age", PREFLIGHT_MAX_AGE);
    return reply.status(204).send();
  });
}
