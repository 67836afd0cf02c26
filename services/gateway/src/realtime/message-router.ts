import { type ErrorBody, TidingsError } from "@tidings/protocol";
import { checkInput, countRefusal, fieldErrors, type Logger, toErrorBody } from "@tidings/service";
import type { z } from "zod";
import { RateLimiter } from "./rate-limiter.ts";
import type { GatewaySocket } from "./socket-types.ts";

/** One client → server message kind: its validator and what it does. */
export interface MessageHandler<T> {
  schema: z.ZodType<T>;
  /** Resolves to the fields of a successful ack (`{ok: true, ...fields}`). */
  handle(socket: GatewaySocket, input: T): Promise<Record<string, unknown>>;
}

/** A handler of some message type. */
// biome-ignore lint/suspicious/noExplicitAny: handlers of different message types share one table
export type AnyMessageHandler = MessageHandler<any>;

/** The wire shape of an acknowledgement. */
export type Ack =
  | ({ ok: true } & Record<string, unknown>)
  | { ok: false; error: Omit<ErrorBody, "status"> };

/** Event the server sends when a message without an ack callback failed. */
export const ERROR_EVENT = "tidings:error";

/** Limits applied to every client message. */
export interface MessageLimits {
  maxMessageBytes: number;
  maxMessagesPerMinute: number;
  /** Deepest nesting of objects and arrays in a message. */
  jsonMaxDepth: number;
}

function failure(error: unknown): Ack {
  const { code, message, data } = toErrorBody(error);
  return { ok: false, error: { code, message, data } };
}

/**
 * Routes every incoming message of a socket: rate limit, text and depth, size limit, validation,
 * then the handler; answers through the ack callback (or the `tidings:error` event when there is
 * none). Nothing a client sends can throw out of here: a bad message is refused and the connection
 * keeps serving.
 */
export function attachMessageRouter(
  socket: GatewaySocket,
  handlers: Record<string, AnyMessageHandler>,
  limits: MessageLimits,
  logger: Logger,
): void {
  // One closure per socket, and no named inner functions: the loader names each such function
  // as it is created, which gives every socket a dictionary of properties per function.
  const limiter = new RateLimiter(limits.maxMessagesPerMinute, 60_000);
  socket.use((packet, _next) => {
    const [event, ...rest] = packet as [unknown, ...unknown[]];
    const ack =
      typeof rest.at(-1) === "function" ? (rest.pop() as (answer: Ack) => void) : undefined;
    void route(socket, limiter, handlers, limits, event, rest)
      .catch((error: unknown) => {
        if (!(error instanceof TidingsError))
          logger.error({ err: error, event }, "realtime message failed");
        return failure(error);
      })
      .then((value) => {
        if (ack) ack(value);
        else if (!value.ok) socket.emit(ERROR_EVENT, { event, ...value.error });
      });
  });
}

async function route(
  socket: GatewaySocket,
  limiter: RateLimiter,
  handlers: Record<string, AnyMessageHandler>,
  limits: MessageLimits,
  event: unknown,
  args: unknown[],
): Promise<Ack> {
  if (!limiter.take()) {
    countRefusal("socket_messages");
    throw new TidingsError("RATE_LIMITED", "Too many messages; slow down.", {
      retryAfterSeconds: Math.ceil(limiter.retryAfterMs() / 1000),
    });
  }
  const handler =
    typeof event === "string" && Object.hasOwn(handlers, event) ? handlers[event] : undefined;
  if (!handler)
    throw new TidingsError("INVALID_MESSAGE", `Unknown message "${String(event).slice(0, 64)}".`);
  const input = args.length === 1 ? args[0] : args;
  // Before anything walks the message recursively (measuring it, its schema), and before a handler
  // could store its text: the same check as HTTP bodies, in the realtime protocol's error code.
  checkInput(input, limits.jsonMaxDepth, "INVALID_MESSAGE", `${event} message`);
  if (Buffer.byteLength(JSON.stringify(args) ?? "") > limits.maxMessageBytes) {
    throw new TidingsError(
      "INVALID_MESSAGE",
      `The message exceeds ${limits.maxMessageBytes} bytes.`,
    );
  }
  const parsed = handler.schema.safeParse(input);
  if (!parsed.success) {
    throw new TidingsError(
      "INVALID_MESSAGE",
      `The ${event} message is malformed.`,
      fieldErrors(parsed.error.issues),
    );
  }
  return { ok: true, ...(await handler.handle(socket, parsed.data)) };
}
