import { TidingsError } from "@tidings/protocol";

/** WebSocket close codes the endpoint uses (RFC 6455 §7.4.1). */
export const CLOSE_CODES = {
  /** Refusals, as FastSchema sends them: a normal closure with a reason. */
  normal: 1000,
  /** The node drains. */
  goingAway: 1001,
  /** The client sent messages too fast. */
  policy: 1008,
  internal: 1011,
} as const;

/** The longest close reason RFC 6455 allows, in UTF-8 bytes. */
export const MAX_REASON_BYTES = 123;

/** A subscription FastSchema would refuse, with FastSchema's reason text. */
export class ContentRefusal extends Error {
  override readonly name = "ContentRefusal";
}

/**
 * The reason FastSchema gives for a refused subscription: its own texts for a bad event, an unknown
 * schema and a bad filter, `[401] Unauthorized` or `[403] Forbidden` for rules, and
 * `[<status>] <message>` (FastSchema's error format) for Tidings' other refusals.
 */
export function refusalReason(error: unknown, context: { schema: string; signedIn: boolean }) {
  if (error instanceof ContentRefusal) return error.message;
  if (!(error instanceof TidingsError)) return "[500] Internal Server Error";
  switch (error.code) {
    case "NOT_FOUND":
      return `realtime.content: schema not found: ${context.schema}`;
    case "INVALID_FILTER":
      return `realtime.content: invalid filter: ${error.message}`;
    // Planning raises it only for `select` naming fields the schema does not have.
    case "INVALID_MESSAGE":
      return `realtime.content: invalid select: ${error.message}`;
    case "UNAUTHORIZED":
      return "[401] Unauthorized";
    case "FORBIDDEN":
      return context.signedIn ? "[403] Forbidden" : "[401] Unauthorized";
    default:
      return `[${error.status}] ${error.message}`;
  }
}

/** `text` cut to what a close frame may carry, on a character boundary. */
export function closeReasonText(text: string): string {
  if (Buffer.byteLength(text) <= MAX_REASON_BYTES) return text;
  let bytes = 0;
  let cut = "";
  for (const char of text) {
    bytes += Buffer.byteLength(char);
    if (bytes > MAX_REASON_BYTES) break;
    cut += char;
  }
  return cut;
}
