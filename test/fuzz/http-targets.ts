/**
 * HTTP routes as fuzz targets: the poison goes into a path parameter, a query value or the body,
 * and the route must refuse it the way its protocol refuses — `NOT_FOUND` for a path id, a 400 for
 * a query value (its parser's code), `VALIDATION_FAILED` naming the field for a body, or the
 * compatibility protocol's own answer — and never with a 5xx.
 */
import assert from "node:assert/strict";
import type { FuzzTarget } from "./fuzz-run.ts";
import { assertNamesField } from "./fuzz-run.ts";
import type { Path, Poisoned, PoisonKind } from "./hostile.ts";

/** A route with valid inputs; `path` has `:name` placeholders filled from `params`. */
export interface HttpRoute {
  /** How the report names it. @default its method and path */
  label?: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** How the route answers a bad body: Tidings' error, Laravel's 422 (Velo), 403 `{message}` (Pusher auth). */
  refusal?: "tidings" | "laravel" | "pusher";
}

/** Sends a request; `payload` is JSON text. */
export type HttpSend = (
  method: string,
  url: string,
  headers: Record<string, string>,
  payload: string | undefined,
) => Promise<{ status: number; text: string }>;

/** A path segment as a client would encode it; a lone surrogate as the bytes it would be in WTF-8. */
export function encodeSegment(text: string): string {
  let out = "";
  for (const char of text) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join("");
    } else out += encodeURIComponent(char);
  }
  return out;
}

// A URL carries U+0000 as %00; a lone surrogate only in a path, encoded by hand; nothing deep.
function allowed(path: Path, kind: PoisonKind): boolean {
  const [part] = path;
  if (part === "body") return true;
  if (path.length !== 2 || kind.endsWith("Key") || kind === "deep") return false;
  return part === "params" ? kind === "nul" || kind === "lone" : kind === "nul";
}

function urlOf(route: HttpRoute, params: Record<string, string>, query: Record<string, string>) {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) =>
    encodeSegment(params[name] ?? ""),
  );
  const search = new URLSearchParams(query).toString();
  return search ? `${path}?${search}` : path;
}

function parse(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function checkBodyRefusal(
  route: HttpRoute,
  status: number,
  body: Record<string, unknown>,
  input: Poisoned,
) {
  if (route.refusal === "laravel") {
    // Laravel names top-level fields only: the one the poison went under, if it went under one.
    assert.equal(status, 422);
    const field = input.path.length >= 2 ? String(input.path[1]) : undefined;
    const named = Object.keys((body.errors ?? {}) as object);
    assert.ok(field === undefined ? named.length === 1 : named.includes(field), String(field));
  } else if (route.refusal === "pusher") {
    assert.equal(status, 403);
    assert.match(String(body.message), /cannot be accepted/);
  } else {
    assert.equal(status, 400);
    assert.equal(body.code, "VALIDATION_FAILED");
    assertNamesField(body.data, input, 1);
  }
}

/** The route as a fuzz target over `send`. */
export function httpTarget(route: HttpRoute, send: HttpSend): FuzzTarget {
  const template = {
    ...(route.params && { params: route.params }),
    ...(route.query && { query: route.query }),
    ...(route.body !== undefined && { body: route.body }),
  };
  return {
    name: route.label ?? `${route.method} ${route.path}`,
    template,
    allowed,
    async send(input) {
      const value = input.value() as typeof template;
      const headers = {
        ...route.headers,
        ...(route.body !== undefined && { "content-type": "application/json" }),
      };
      const payload = route.body === undefined ? undefined : input.json(["body"]);
      const url = urlOf(route, value.params ?? {}, value.query ?? {});
      const { status, text } = await send(route.method, url, headers, payload);
      const body = parse(text);
      assert.ok(status < 500, `${route.method} ${url}: ${status} ${text.slice(0, 300)}`);
      const where = input.path[0];
      if (where === "params") {
        assert.equal(status, 404);
        assert.equal(body.code, "NOT_FOUND");
      } else if (where === "query") {
        assert.equal(status, 400, text.slice(0, 300));
      } else checkBodyRefusal(route, status, body, input);
    },
  };
}
