import * as grpc from "@grpc/grpc-js";
import type { PrismaClient } from "@tidings/db";
import { TidingsError } from "@tidings/protocol";
import {
  checkInput,
  DEFAULT_JSON_MAX_DEPTH,
  type FieldErrors,
  type Lifecycle,
  parseInput,
} from "@tidings/service";
import { socketIdHeader } from "../records/record-routes.ts";
import { toGrpcError } from "./grpc-errors.ts";
import { inGrpcServerSpan } from "./grpc-trace.ts";
import { type PublishResult, publishEvents } from "./publish-events.ts";
import {
  loadPublisher,
  type PublishBatchRequestMessage,
  type PublishRequestMessage,
} from "./publisher-proto.ts";
import type { ServiceAuth } from "./service-auth.ts";

/** Where and how the gRPC server listens. */
export interface PublishGrpcOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Largest request message, in bytes (the HTTP body limit, so both transports take the same). */
  maxMessageBytes: number;
  /**
   * Deepest nesting accepted in the events (TIDINGS_JSON_MAX_DEPTH, as over HTTP).
   * @default DEFAULT_JSON_MAX_DEPTH
   */
  jsonMaxDepth?: number;
}

/** What the gRPC server uses but does not own. */
export interface PublishGrpcDeps {
  prisma: PrismaClient;
  serviceAuth: ServiceAuth;
  lifecycle: Lifecycle;
  log: { error(obj: object, msg?: string): void };
}

/** A listening `tidings.v1.Publisher` server. */
export interface PublishGrpcServer {
  /** The port it listens on (the chosen one when asked for 0). */
  readonly port: number;
  /** Lets calls in progress finish (for a few seconds at most), then closes. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

const ACTIONS: Record<string, string> = {
  ACTION_CREATED: "created",
  ACTION_UPDATED: "updated",
  ACTION_DELETED: "deleted",
};

// Turns a message into the HTTP API's event object, so both transports share one validation.
function toEvent(message: PublishRequestMessage, prefix: string, errors: FieldErrors) {
  const parse = (text: string, field: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      errors[`${prefix}${field}`] = { code: "invalid_json", message: "expected a JSON object" };
    }
  };
  return {
    collection: message.collection,
    action: ACTIONS[message.action],
    record: parse(message.record_json, "record_json"),
    ...(message.old_record_json && {
      oldRecord: parse(message.old_record_json, "old_record_json"),
    }),
    ...(message.idempotency_key && { idempotencyKey: message.idempotency_key }),
  };
}

function withJsonChecked<T>(build: (errors: FieldErrors) => T): T {
  const errors: FieldErrors = {};
  const body = build(errors);
  if (Object.keys(errors).length > 0)
    throw new TidingsError("VALIDATION_FAILED", "The events carry text that is not JSON.", errors);
  return body;
}

const metadataText = (metadata: grpc.Metadata, key: string) => {
  const [value] = metadata.get(key);
  return typeof value === "string" ? value : undefined;
};

/**
 * Serves `tidings.v1.Publisher` (libs/protocol/proto/tidings/v1/publisher.proto): a thin transport
 * over the same `publishEvents` as `POST /internal/v1/publish`, authenticated by the metadata
 * `authorization: Bearer <service token>`. Rejects with a clear error when the port cannot be bound.
 */
export async function startPublishGrpc(
  options: PublishGrpcOptions,
  deps: PublishGrpcDeps,
): Promise<PublishGrpcServer> {
  const serve =
    <Req>(method: string, toBody: (request: Req) => unknown) =>
    (
      call: grpc.ServerUnaryCall<Req, PublishResult>,
      callback: grpc.sendUnaryData<PublishResult>,
    ) => {
      const run = async () => {
        if (deps.lifecycle.draining)
          throw new TidingsError("UNAVAILABLE", "The server is shutting down; retry.");
        deps.serviceAuth(metadataText(call.metadata, "authorization"));
        const socketId = parseInput(
          socketIdHeader,
          metadataText(call.metadata, "x-socket-id"),
          "x-socket-id metadata",
        );
        // The events as HTTP would carry them, checked as HTTP bodies are before anything reads them.
        const body = toBody(call.request);
        checkInput(body, options.jsonMaxDepth ?? DEFAULT_JSON_MAX_DEPTH);
        return publishEvents(deps.prisma, body, { socketId, now: new Date() });
      };
      inGrpcServerSpan(method, call.metadata, run).then(
        (result) => callback(null, result),
        (error: unknown) => {
          if (!(error instanceof TidingsError))
            deps.log.error({ err: error }, "gRPC publish failed");
          callback(toGrpcError(error));
        },
      );
    };

  const server = new grpc.Server({ "grpc.max_receive_message_length": options.maxMessageBytes });
  server.addService(loadPublisher().service, {
    Publish: serve("tidings.v1.Publisher/Publish", (message: PublishRequestMessage) =>
      withJsonChecked((errors) => toEvent(message, "", errors)),
    ),
    PublishBatch: serve(
      "tidings.v1.Publisher/PublishBatch",
      (message: PublishBatchRequestMessage) =>
        withJsonChecked((errors) => ({
          events: message.events.map((event, index) => toEvent(event, `events.${index}.`, errors)),
        })),
    ),
  });
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host}:${options.port}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) =>
        error
          ? reject(
              new Error(
                `TIDINGS_GRPC_PORT: cannot serve gRPC on ${host}:${options.port} (${error.message}); set TIDINGS_GRPC_PORT to a free port, or 0 for any`,
                { cause: error },
              ),
            )
          : resolve(bound),
    );
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, STOP_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
