// One server of the connect storm, forked by connect-storm.ts with --expose-gc: either a Tidings
// gateway (started as main.ts starts it, from the environment it is given) or the baseline, a
// plain Socket.IO server (websocket only) that acknowledges each `subscribe` at once in the
// gateway's ack shape. Answers "memory" with its memory after a full garbage collection.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { writeHeapSnapshot } from "node:v8";
import { loadNodeConfig, parseEnv } from "@tidings/service";
import { Server } from "socket.io";
import { gatewayConfigFrom, gatewayEnv } from "../src/config.ts";
import { LISTEN_BACKLOG, startGateway } from "../src/start-gateway.ts";
import type { ServerCommand, ServerConfig, ServerReply } from "./storm-protocol.ts";

const config = JSON.parse(process.argv[2] as string) as ServerConfig;
const send = (reply: ServerReply) => process.send?.(reply);

async function listenGateway(): Promise<{ port: number; connections: () => number }> {
  const env = { ...process.env, ...config.env };
  const base = loadNodeConfig(env, gatewayEnv);
  const running = await startGateway(
    base,
    gatewayConfigFrom(parseEnv(gatewayEnv, env).values),
    env,
  );
  await running.app.listen({ port: 0, host: "127.0.0.1", backlog: LISTEN_BACKLOG });
  const { port } = running.app.server.address() as AddressInfo;
  const { io } = running.gateway.compatDeps();
  return { port, connections: () => io.engine.clientsCount };
}

async function listenPlain(): Promise<{ port: number; connections: () => number }> {
  const http = createServer();
  const io = new Server(http, { transports: ["websocket"] });
  let seq = 0;
  io.on("connection", (socket) => {
    socket.on("subscribe", (body: { collection?: string }, ack?: (answer: unknown) => void) => {
      seq += 1;
      ack?.({ ok: true, id: `s${seq}`, channel: `plain-${body.collection}`, throughSeq: 0 });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", LISTEN_BACKLOG, resolve));
  return { port: (http.address() as AddressInfo).port, connections: () => io.engine.clientsCount };
}

const server = config.kind === "gateway" ? await listenGateway() : await listenPlain();

process.on("message", (command: ServerCommand) => {
  if (command.type === "snapshot") {
    send({ type: "snapshot", file: writeHeapSnapshot(command.file) });
    return;
  }
  // Twice: the first collection can leave finalised objects for the second.
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  const connections = server.connections();
  const { active, idle } = performance.eventLoopUtilization();
  send({
    type: "memory",
    ...{ rss, heapUsed, heapTotal, external, connections, cpuUs: user + system },
    ...{ loopActiveMs: active, loopIdleMs: idle },
  });
});
// The orchestrator went away (finished, Ctrl-C or crashed), or stops this server: leave through
// process.exit, so a --cpu-prof profile is written.
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
send({ type: "listening", port: server.port });
