import type { ValueRef } from "./checked.ts";
import type { RequestData } from "./schema.ts";
import { ownValue, readPath } from "./values.ts";

/** The operands that read the write request. */
export type RequestRef = Extract<ValueRef, { kind: "request" | "isset" | "method" }>;

/**
 * The request list and view rules and client filters judge: a read, as PocketBase sees one
 * (method `GET`, no body). Those rules may not name query parameters or headers at all, so
 * realtime deliveries, which have neither, mean what a list means.
 */
export const READ_REQUEST: RequestData = Object.freeze({
  method: "GET",
  body: Object.freeze({}),
  query: Object.freeze({}),
  headers: Object.freeze({}),
});

/**
 * The value of a request operand: a submitted field (or a path into it), a query parameter or
 * header (undefined when absent), whether one was given (`:isset`), or the method. Own keys only,
 * so `__proto__` or `constructor` read nothing.
 */
export function readRequest(request: RequestData, ref: RequestRef): unknown {
  switch (ref.kind) {
    case "request":
      return readPath(request[ref.part], ref.path);
    case "isset":
      return ownValue(request[ref.part], ref.name) !== undefined;
    case "method":
      return request.method;
  }
}
