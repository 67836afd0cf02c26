import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";

const APP = "https://app.example";

// A page of another origin calls the REST API, long-polls Socket.IO and opens PocketBase's stream.
describe("cross-origin pages (TIDINGS_CORS_ORIGINS)", () => {
  let cluster: Cluster;
  let base: string;

  beforeAll(async () => {
    // The raw polling session below never answers the drain: do not wait long for it at the end.
    cluster = await startCluster({
      nodes: 1,
      env: { TIDINGS_CORS_ORIGINS: APP, TIDINGS_SHUTDOWN_DEADLINE: "1" },
    });
    base = cluster.nodes[0]!.url;
  });
  afterAll(async () => {
    await cluster?.[Symbol.asyncDispose]();
  });

  it("answers the REST API's preflight and requests for the allowed origin only", async () => {
    const preflight = await fetch(`${base}/api/auth/login`, {
      method: "OPTIONS",
      headers: {
        origin: APP,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(APP);
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type");
    const allowed = await fetch(`${base}/api/collections/nope/records`, {
      headers: { origin: APP },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(APP);
    const other = await fetch(`${base}/api/collections/nope/records`, {
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets the allowed origin long-poll Socket.IO", async () => {
    const handshake = await fetch(`${base}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: APP },
    });
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get("access-control-allow-origin")).toBe(APP);
    const other = await fetch(`${base}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).not.toBe("https://evil.example");
  });

  it("carries the header on PocketBase's realtime stream", async () => {
    const abort = new AbortController();
    const stream = await fetch(`${base}/api/realtime`, {
      headers: { origin: APP },
      signal: abort.signal,
    });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("access-control-allow-origin")).toBe(APP);
    abort.abort();
  });
});
