// The baseline: one plain Socket.IO server (same socket.io as the gateways, websocket only) that
// broadcasts every record posted to it to all its clients with `io.emit` — no authentication, no
// matching, no broker. What it delivers per second is the transport's ceiling on this machine.
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
    io.emit("change", { channel: "baseline-channel-0000000", action: "created", record, seq, at });
    res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(record));
  });
});

const handlers = {
  async listen() {
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    return (http.address() as AddressInfo).port;
  },
};

/** What the orchestrator may call. */
export type BaselineHandlers = typeof handlers;

serve(handlers);
