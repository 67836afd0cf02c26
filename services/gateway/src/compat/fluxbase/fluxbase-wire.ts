import { TidingsError } from "@tidings/protocol";

/** A server → client frame: a JSON object with a `type`. */
export type ServerMessage = { type: string } & Record<string, unknown>;

/**
 * The `code` of an error frame: Fluxbase's documented codes, plus `INVALID_MESSAGE` for frames that
 * are not a message at all (bad JSON, an unknown `type`, wrongly typed fields).
 */
export type FluxbaseErrorCode =
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "INVALID_CHANNEL"
  | "SUBSCRIPTION_FAILED"
  | "RATE_LIMITED"
  | "INVALID_MESSAGE";

/** A refusal to send to the client as an error frame; the connection stays open. */
export class FluxbaseRefusal extends Error {
  override readonly name = "FluxbaseRefusal";
  readonly code: FluxbaseErrorCode;

  constructor(code: FluxbaseErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** WebSocket close codes (RFC 6455 §7.4.1); the Fluxbase SDK reconnects after any of them. */
export const CLOSE_CODES = {
  /** Over the per-user connection limit, or the token expired or was revoked. */
  policy: 1008,
  internal: 1011,
  /** The node drains: reconnect (to another node). */
  restart: 1012,
  /** The client did not read fast enough. */
  tryAgainLater: 1013,
} as const;

/** Fluxbase's text for the connection limit, sent before the close. */
export const MAX_CONNECTIONS_TEXT = "Server connection limit reached. Please try again later.";

/**
 * An error frame: Fluxbase's server puts the text in `error`, its docs in `code` and `message`;
 * both are sent. `channel` names the channel the failed message was about, when it had one.
 */
export function errorFrame(
  code: FluxbaseErrorCode,
  text: string,
  extra: Record<string, unknown> = {},
): ServerMessage {
  return { type: "error", error: text, code, message: text, ...extra };
}

const GENERIC: Partial<Record<TidingsError["code"], FluxbaseErrorCode>> = {
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  RATE_LIMITED: "RATE_LIMITED",
};

/**
 * The error frame for a failed message: a {@link FluxbaseRefusal} as it is, a Tidings error with
 * the closest Fluxbase code (`fallback` for the rest), anything else as an internal failure.
 */
export function refusalFrame(
  error: unknown,
  fallback: FluxbaseErrorCode,
  extra: Record<string, unknown> = {},
): ServerMessage {
  if (error instanceof FluxbaseRefusal) return errorFrame(error.code, error.message, extra);
  if (error instanceof TidingsError)
    return errorFrame(GENERIC[error.code] ?? fallback, error.message, extra);
  return errorFrame(fallback, "Something went wrong; retry.", extra);
}
