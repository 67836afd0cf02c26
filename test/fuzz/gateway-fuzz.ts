/**
 * The gateway's inputs as fuzz targets, on a node of the in-process cluster (PostgreSQL, NATS,
 * Redis): Socket.IO messages, Fluxbase and Pusher frames, FastSchema's handshake, and the HTTP
 * routes of PocketBase, Velo and Pusher.
 */
import { DEFAULT_JSON_MAX_DEPTH } from "@tidings/service";
import { connectFluxbase } from "../compat/fluxbase/fluxbase-socket.ts";
import { rawStream } from "../compat/pocketbase/pocketbase-support.ts";
import { APP_KEY, APP_SECRET, RawPusher } from "../compat/pusher/pusher-support.ts";
import { startCluster } from "../support/cluster.ts";
import { openCollection } from "../support/collections.ts";
import { compatHttpTargets, fastschemaTarget } from "./compat-http-targets.ts";
import { type FuzzEnvironment, rowCounts } from "./fuzz-run.ts";
import type { HttpSend } from "./http-targets.ts";
import { fluxbaseTargets, pusherTargets, socketIoTargets } from "./realtime-targets.ts";

/** One node with every protocol on, its limits high enough that the fuzz's pace is never refused. */
export async function openGatewayFuzz(): Promise<FuzzEnvironment> {
  const cluster = await startCluster({
    redis: false,
    env: {
      TIDINGS_PUSHER_APPS: `${APP_KEY}:${APP_SECRET}`,
      TIDINGS_MAX_MESSAGES_PER_MINUTE: "1000000",
      TIDINGS_PUSHER_CLIENT_EVENTS_PER_SECOND: "1000",
      TIDINGS_AUTH_RATE_LIMIT: "100000",
    },
  });
  try {
    const { url } = cluster.nodes[0] as { url: string };
    await cluster.collection(openCollection("posts", [{ name: "title", type: "text" }]));
    const token = cluster.superuser.token;
    const socket = await cluster.socket(0, { token });
    const fluxbase = await connectFluxbase(url, { token });
    const pusher = new RawPusher(url);
    await pusher.socketId();
    const stream = await rawStream(url);
    const velo = await cluster.call("POST", "/api/realtime/subscribe", {
      token,
      body: { collection: "posts" },
    });
    const send: HttpSend = async (method, path, headers, payload) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
      return { status: response.status, text: await response.text() };
    };
    const ids = { pocketbaseClient: stream.clientId, veloChannel: velo.body.channel_name };
    return {
      targets: [
        ...socketIoTargets(socket),
        ...fluxbaseTargets(fluxbase),
        ...pusherTargets(pusher),
        ...compatHttpTargets(send, ids),
        fastschemaTarget(url),
      ],
      snapshot: rowCounts(cluster.nodes[0]!.server.records.db.prisma),
      maxDepth: DEFAULT_JSON_MAX_DEPTH,
      async close() {
        stream.close();
        pusher.close();
        await fluxbase.close();
        await cluster[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await cluster[Symbol.asyncDispose]();
    throw error;
  }
}
