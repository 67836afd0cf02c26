import { fileURLToPath } from "node:url";

/**
 * Path of the checked-in `tidings.v1.Publisher` service definition, for `@grpc/proto-loader`.
 * Services load it at run time (no code generation), so the file is the single source of truth.
 */
export const PUBLISHER_PROTO_PATH = fileURLToPath(
  new URL("../proto/tidings/v1/publisher.proto", import.meta.url),
);
