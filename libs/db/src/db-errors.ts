import { Prisma } from "./generated/prisma/client.ts";

/**
 * True when a write broke a unique constraint. The pg adapter reports Prisma's P2002; the PGlite
 * adapter passes PostgreSQL's own SQLSTATE 23505 through.
 */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Prisma.PrismaClientKnownRequestError &&
    (error.code === "P2002" || error.code === "23505")
  );
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

/**
 * True when a failure means the database cannot be reached right now (down, restarting, cut off),
 * as opposed to a problem with the request: the client should retry, and the service answers 503.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (UNREACHABLE_CODES.has(error.code)) return true;
  const cause = (
    error.meta?.driverAdapterError as { cause?: { kind?: string; code?: string } } | undefined
  )?.cause;
  return UNREACHABLE_KINDS.has(cause?.kind ?? "") || UNAVAILABLE_SQLSTATE.test(cause?.code ?? "");
}
