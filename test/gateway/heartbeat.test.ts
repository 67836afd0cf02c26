import type { Socket } from "socket.io-client";
import { describe, expect, it } from "vitest";
import { startCluster } from "../support/cluster.ts";
import { eventually, pause } from "../support/socket-calls.ts";

function stopReading(socket: Socket): void {
  (
    socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }
  ).ws._socket.pause();
}

describe("heartbeat and idle timeout", () => {
  it("a client that answers heartbeats stays; one silent past the idle timeout is closed", async () => {
    await using cluster = await startCluster({
      env: { TIDINGS_HEARTBEAT_INTERVAL: "1", TIDINGS_IDLE_TIMEOUT: "3" },
    });
    const io = cluster.nodes[0]!.server.io;
    const alive = await cluster.socket(0);
    const silent = await cluster.socket(0);
    const silentId = silent.id as string;
    stopReading(silent);
    await eventually(() => expect(io.of("/").sockets.has(silentId)).toBe(false), 8_000);
    await pause(1_500);
    expect(io.of("/").sockets.has(alive.id as string)).toBe(true);
    expect(alive.connected).toBe(true);
  });
});
