/**
 * One gateway node of the emit benchmark, forked by emit.ts: a bare Socket.IO server on the
 * pairing's Redis adapter. Clients name their rooms in the handshake; the node joins them and
 * answers "joined" once its subscriptions are active. It counts what Redis pushes to its
 * subscriber connection, and its own CPU time, between "reset" and "report".
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { type Command, cpuSince, type GatewayConfig, type Reply } from "./emit-protocol.ts";
import { PAIRINGS } from "./pairings.ts";

const config = JSON.parse(process.argv[2] as string) as GatewayConfig;
const pairing = PAIRINGS[config.pairing];
const send = (reply: Reply) => process.send?.(reply);

const pub = new Redis(config.redisUrl, { connectionName: `${config.prefix}:pub:${config.index}` });
// The name lets the orchestrator find this connection in CLIENT LIST (output buffer sizes).
const sub = new Redis(config.redisUrl, { connectionName: `${config.prefix}:sub:${config.index}` });
for (const client of [pub, sub])
  client.on("error", (error) => console.error(`node ${config.index}: redis`, error.message));

let messages = 0;
let bytes = 0;
let cpuBase = process.cpuUsage();
// Counted at the connection, before the adapter looks at the message: what Redis sends this node,
// whether or not the node holds the room.
sub.on(pairing.subscriberEvent, (...args: Buffer[]) => {
  messages++;
  for (const part of args) bytes += part.length;
});

const http = createServer();
const io = new Server(http, { adapter: pairing.adapter(pub, sub, config.prefix) });
io.on("connection", async (socket) => {
  await socket.join(socket.handshake.auth.rooms as string[]);
  // Commands on one connection run in order: once PING answers, the (S)SUBSCRIBEs are active.
  await sub.ping();
  socket.emit("joined");
});

process.on("message", (command: Command) => {
  if (command.type === "reset") {
    messages = 0;
    bytes = 0;
    cpuBase = process.cpuUsage();
    send({ type: "reset" });
  } else if (command.type === "report") {
    send({ type: "report", messages, bytes, cpu: cpuSince(cpuBase) });
  }
});
// The orchestrator went away (finished, Ctrl-C or crashed): leave with it.
process.on("disconnect", () => process.exit(0));

http.listen(0, "127.0.0.1", async () => {
  await sub.ping();
  send({ type: "listening", port: (http.address() as AddressInfo).port });
});
