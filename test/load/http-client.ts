import { Agent, request } from "node:http";

// Keep-alive connections, enough of them that a slow answer does not hold the next writes back.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** An answer: its status (0 when the request itself failed) and, if asked for, its body. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** One JSON request on the shared keep-alive agent; never rejects (status 0 on failure). */
export function send(
  method: string,
  url: string,
  token: string,
  body?: string,
  readBody = false,
): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        if (readBody) res.on("data", (chunk: Buffer) => chunks.push(chunk));
        else res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on("error", () => resolve({ status: 0, body: "" }));
    req.end(body);
  });
}
