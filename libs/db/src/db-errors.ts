import { Prisma } from "./generated/prisma/client.ts";

// The SQLSTATE or system error code a driver error carries (pg and PGlite set `code`).
function driverCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" ? code : undefined;
}

/**
 * True when a write broke a unique constraint. The pg adapter reports Prisma's P2002; the PGlite
 * adapter passes PostgreSQL's own SQLSTATE 23505 through, as the drivers themselves do for raw
 * statements.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError)
    return error.code === "P2002" || error.code === "23505";
  return driverCode(error) === "23505";
}

// Prisma's codes for "cannot reach / lost / timed out talking to the database".
const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// Driver adapter error kinds with the same meaning.
const UNREACHABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
// PostgreSQL SQLSTATEs: connection exceptions (08xxx), shutting down or starting up (57P0x).
const UNAVAILABLE_SQLSTATE = /^(08|57P0)/;
// What the pg driver itself throws when it cannot reach the server or loses it mid-query.
const UNREACHABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
]);
const UNREACHABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end)/;

/**
 * True when a failure means the database cannot be reached right now (down, restarting, cut off),
 * as opposed to a problem with the request: the client should retry, and the service answers 503.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) {
    const code = driverCode(error) ?? "";
    return (
      UNREACHABLE_ERRNO.has(code) ||
      UNAVAILABLE_SQLSTATE.test(code) ||
      (error instanceof Error && UNREACHABLE_MESSAGE.test(error.message))
    );
  }
  if (UNREACHABLE_CODES.has(error.code)) return true;
  const cause = (
    error.meta?.driverAdapterError as { cause?: { kind?: string; code?: string } } | undefined
  )?.cause;
  return UNREACHABLE_KINDS.has(cause?.kind ?? "") || UNAVAILABLE_SQLSTATE.test(cause?.code ?? "");
}
