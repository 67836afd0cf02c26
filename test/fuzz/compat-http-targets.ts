/**
 * The compatibility protocols' HTTP inputs as fuzz targets: PocketBase's `POST /api/realtime`
 * (and the options inside its topics), Velo's routes, the Pusher channel authorization, and the
 * query of FastSchema's WebSocket handshake.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import type { FuzzTarget } from "./fuzz-run.ts";
import type { Path, PoisonKind } from "./hostile.ts";
import { type HttpRoute, type HttpSend, httpTarget } from "./http-targets.ts";

/** What the compatibility routes are fuzzed with: live ids they need to be valid. */
export interface CompatIds {
  /** Of an open PocketBase stream. */
  pocketbaseClient: string;
  /** A channel Velo issued. */
  veloChannel: string;
}

/** PocketBase's, Velo's and Pusher's HTTP routes, over `send`. */
export function compatHttpTargets(send: HttpSend, ids: CompatIds): FuzzTarget[] {
  const auth = { socket_id: "1234.5678", channel_name: "private-fuzz" };
  const routes: HttpRoute[] = [
    {
      method: "POST",
      path: "/api/realtime",
      body: { clientId: ids.pocketbaseClient, subscriptions: ["posts/*", "posts/r1"] },
    },
    {
      method: "POST",
      path: "/api/realtime/subscribe",
      body: { collection: "posts", socket_id: "1234.5678", filter: "title = 'x'" },
      refusal: "laravel",
    },
    {
      method: "POST",
      path: "/api/realtime/ping",
      body: { channel_name: ids.veloChannel },
      refusal: "laravel",
    },
    { method: "POST", path: "/broadcasting/auth", body: auth, refusal: "pusher" },
    { method: "POST", path: "/api/broadcasting/auth", body: auth, refusal: "pusher" },
  ];
  return [...routes.map((route) => httpTarget(route, send)), topicOptionsTarget(send, ids)];
}

// Values only: PocketBase ignores any other key of a topic's options (and accepts the topic).
const optionValues = (path: Path, kind: PoisonKind) => path.length === 1 && !kind.endsWith("Key");

/**
 * The options a PocketBase topic carries (`posts/*?options=<JSON>`): text inside them reaches the
 * filter, expand and fields parsers, which must refuse it (a 400, whatever the code).
 */
function topicOptionsTarget(send: HttpSend, ids: CompatIds): FuzzTarget {
  return {
    name: "POST /api/realtime (topic options)",
    template: { filter: "title = 'x'", expand: "", fields: "id,title" },
    allowed: optionValues,
    async send(input) {
      const options = encodeURIComponent(`{"query":${input.json()}}`);
      const body = JSON.stringify({
        clientId: ids.pocketbaseClient,
        subscriptions: [`posts/*?options=${options}`],
      });
      const headers = { "content-type": "application/json" };
      const { status, text } = await send("POST", "/api/realtime", headers, body);
      assert.equal(status, 400, text.slice(0, 300));
    },
  };
}

// A URL carries U+0000 but not a lone surrogate; inside the filter's JSON text, escaped, all go.
const contentQuery = (path: Path, kind: PoisonKind) =>
  path[0] === "filter" || (path.length === 1 && kind === "nul");

/**
 * FastSchema's `/api/realtime/content?schema=…&filter=…`: a refused subscription still completes
 * the handshake, then closes with 1000 and FastSchema's reason; an internal failure would say
 * `[500]`.
 */
export function fastschemaTarget(baseUrl: string): FuzzTarget {
  return {
    name: "FastSchema /api/realtime/content",
    template: { schema: "posts", event: "*", select: "title", filter: { title: { $eq: "x" } } },
    allowed: contentQuery,
    async send(input) {
      const value = input.value() as Record<string, unknown>;
      const query = new URLSearchParams({
        schema: String(value.schema),
        event: String(value.event),
        select: String(value.select),
        filter: input.json(["filter"]),
      });
      const url = `${baseUrl.replace(/^http/, "ws")}/api/realtime/content?${query}`;
      const ws = new WebSocket(url);
      const end = await new Promise<{ code: number; reason: string } | { status: number }>(
        (resolve, reject) => {
          ws.once("close", (code, reason) => resolve({ code, reason: String(reason) }));
          // A URL too long for Node's HTTP server is refused before the handshake (431).
          ws.once("unexpected-response", (_request, response) => {
            resolve({ status: response.statusCode ?? 0 });
            response.destroy();
          });
          ws.once("error", reject);
        },
      );
      if ("status" in end) assert.ok(end.status >= 400 && end.status < 500, String(end.status));
      else {
        assert.equal(end.code, 1000, end.reason);
        assert.doesNotMatch(end.reason, /^\[5\d\d\]/);
      }
    },
  };
}
