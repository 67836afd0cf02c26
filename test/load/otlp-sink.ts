import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** An OTLP/HTTP endpoint that takes every export and counts it (bytes, requests), nothing more. */
export interface OtlpSink extends AsyncDisposable {
  readonly url: string;
  readonly requests: number;
  readonly bytes: number;
}

/**
 * Starts a sink for the tracing bench: services export to it as they would to a collector
 * (OTLP/HTTP protobuf, the default encoding), and decoding nothing keeps its own CPU out of the way.
 */
export async function startOtlpSink(): Promise<OtlpSink> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on("data", (chunk: Buffer) => (bytes += chunk.length));
    request.on("end", () => {
      requests += 1;
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get bytes() {
      return bytes;
    },
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
