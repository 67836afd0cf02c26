import type * as grpc from "@grpc/grpc-js";
import { propagation, ROOT_CONTEXT, SpanKind, type TextMapGetter, trace } from "@opentelemetry/api";
import { inSpan } from "@tidings/telemetry";

const tracer = trace.getTracer("tidings.records");

// gRPC metadata keys are lower case; the propagator asks for `traceparent` and `tracestate`.
const metadataGetter: TextMapGetter<grpc.Metadata> = {
  keys: (metadata) => Object.keys(metadata.getMap()),
  get(metadata, key) {
    const values = metadata.get(key).filter((value): value is string => typeof value === "string");
    return values.length > 1 ? values : values[0];
  },
};

/**
 * Runs a gRPC call in a server span that continues the caller's `traceparent` (from the call's
 * metadata), so its events' outbox rows, and everything after, join the caller's trace. There is
 * no gRPC instrumentation in the process: grpc-js hooks would trace every call for this one server.
 */
export function inGrpcServerSpan<T>(
  method: string,
  metadata: grpc.Metadata,
  run: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const span = tracer.startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "rpc.system": "grpc",
        "rpc.service": method.split("/")[0] ?? method,
        "rpc.method": method.split("/")[1] ?? method,
      },
    },
    parent,
  );
  return inSpan(span, parent, run);
}
