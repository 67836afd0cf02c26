// The baseline: one plain Socket.IO server (same socket.io as the gateways, websocket only) that
// broadcasts every record posted to it to all its clients with `io.emit` — no authentication, no
// matching, no broker. What it delivers per second is the transport's ceiling on this machine;
// how fast it accepts connections (each acking two `subscribe`s, as the bench clients send them)
// and what a connection costs it in memory are the connect storm's and memory step's baselines.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { serve } from "./child-rpc.ts";

const http = createServer();
const io = new Server(http, { transports: ["websocket"] });
let seq = 0;

// Answers POST /api/collections/<name>/records like the records service does, and emits a
// `change` of the same shape (and so the same size) as a gateway's.
http.on("request", (req, res) => {
  const collection = /^\/api\/collections\/(\w+)\/records$/.exec(req.url ?? "")?.[1];
  if (req.method !== "POST" || !collection) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const at = new Date().toISOString();
    const record = {
      id: randomBytes(8).toString("hex").slice(0, 15),
      collectionId: "baselinecollect",
      collectionName: collection,
      created: at,
      updated: at,
      ...JSON.parse(Buffer.concat(chunks).toString()),
    };
    seq += 1;
    io.emit("change", { channel: `baseline-${collection}`, action: "created", record, seq, at });
    res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(record));
  });
});

// A `subscribe` is acknowledged at once, in the shape of the gateway's ack (nothing is matched:
// every client gets every change).
io.on("connection", (socket) => {
  socket.on("subscribe", (body: { collection?: string }, ack?: (answer: unknown) => void) => {
    ack?.({ ok: true, id: `s${seq}`, channel: `baseline-${body.collection}`, throughSeq: seq });
  });
});

const handlers = {
  /** Memory in bytes, after a full garbage collection (the process runs with --expose-gc). */
  memory() {
    globalThis.gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    return { rss, heapUsed, external, connections: io.engine.clientsCount };
  },
  async listen() {
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    return (http.address() as AddressInfo).port;
  },
};

/** What the orchestrator may call. */
export type BaselineHandlers = typeof handlers;

serve(handlers);
