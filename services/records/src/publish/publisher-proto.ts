import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { PUBLISHER_PROTO_PATH } from "@tidings/protocol";

/** One event as `tidings.v1.PublishRequest` decodes with {@link PUBLISHER_LOADER_OPTIONS}. */
export interface PublishRequestMessage {
  collection: string;
  action: string;
  record_json: string;
  old_record_json: string;
  idempotency_key: string;
}

/** `tidings.v1.PublishBatchRequest`. */
export interface PublishBatchRequestMessage {
  events: PublishRequestMessage[];
}

/**
 * How the proto is loaded, by the server and by Node clients alike: field names as in the proto
 * (`record_json`), enums as their names, unset fields as their defaults (empty = absent).
 */
export const PUBLISHER_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  enums: String,
  longs: Number,
  defaults: true,
};

/** The `tidings.v1.Publisher` service, for a server's `addService` or a client constructor. */
export function loadPublisher(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(PUBLISHER_PROTO_PATH, PUBLISHER_LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    tidings: { v1: { Publisher: grpc.ServiceClientConstructor } };
  };
  return root.tidings.v1.Publisher;
}
