import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One span as an OTLP/HTTP JSON export carries it, with the service that sent it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP receiver (JSON encoding) that keeps the spans and metric names it is sent. */
export interface OtlpReceiver extends AsyncDisposable {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** `service/metric` for every metric pushed to /v1/metrics. */
  readonly metrics: Set<string>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

function plain(value: AnyValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

const attributesOf = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));

// OTLP/JSON writes trace and span ids as hex strings (not base64, unlike protobuf's JSON mapping).
function spansOf(body: {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string;
        attributes?: KeyValue[];
      }[];
    }[];
  }[];
}): ReceivedSpan[] {
  const received: ReceivedSpan[] = [];
  for (const resource of body.resourceSpans ?? []) {
    const service = String(attributesOf(resource.resource?.attributes)["service.name"]);
    for (const scope of resource.scopeSpans ?? [])
      for (const span of scope.spans ?? [])
        received.push({
          service,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? "",
          name: span.name,
          kind: span.kind,
          startNs: BigInt(span.startTimeUnixNano),
          attributes: attributesOf(span.attributes),
        });
  }
  return received;
}

// The metric names of an OTLP/JSON metrics export, each with its service.
function metricsOf(body: {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: { metrics?: { name: string }[] }[];
  }[];
}): string[] {
  const names: string[] = [];
  for (const resource of body.resourceMetrics ?? []) {
    const service = String(attributesOf(resource.resource?.attributes)["service.name"]);
    for (const scope of resource.scopeMetrics ?? [])
      for (const metric of scope.metrics ?? []) names.push(`${service}/${metric.name}`);
  }
  return names;
}

/**
 * Starts a receiver on a free loopback port. Services export to it with
 * `OTEL_EXPORTER_OTLP_ENDPOINT=<url>` and `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`; it answers
 * every export with the empty success OTLP expects and keeps the spans.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics = new Set<string>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = () => JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (request.url === "/v1/traces") spans.push(...spansOf(body()));
      if (request.url === "/v1/metrics") for (const name of metricsOf(body())) metrics.add(name);
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    metrics,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
