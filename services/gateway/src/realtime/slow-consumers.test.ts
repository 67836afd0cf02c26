import { eventually, pause } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { watchSlowConsumers } from "./slow-consumers.ts";
import type { GatewayServer } from "./socket-types.ts";

/** A connected socket as the watcher sees it: what waits to be sent, and what closing does. */
function fakeSocket(id: string, queued: number, closed: string[]) {
  return {
    id,
    conn: {
      writeBuffer: [],
      transport: { socket: { bufferedAmount: queued, terminate: () => closed.push(`${id}:tcp`) } },
      close: () => {},
    },
    emit: () => true,
    disconnect: () => closed.push(id),
  };
}

describe("watchSlowConsumers", () => {
  it("walks the sockets a slice per tick and still cuts off the one that does not read", async () => {
    const closed: string[] = [];
    const sockets = new Map<string, ReturnType<typeof fakeSocket>>();
    for (let i = 0; i < 9; i += 1) sockets.set(`s${i}`, fakeSocket(`s${i}`, 10, closed));
    sockets.set("slow", fakeSocket("slow", 5_000, closed));
    const io = { of: () => ({ sockets }) } as unknown as GatewayServer;
    // Three sockets a tick: the slow one, tenth in line, is reached on the fourth tick.
    const watch = watchSlowConsumers(io, 1_000, 10, 3);
    try {
      await eventually(() => expect(closed).toEqual(["slow", "slow:tcp"]));
      sockets.delete("slow");
      // The walk goes round again; the sockets that read are left alone.
      await pause(100);
      expect(closed).toEqual(["slow", "slow:tcp"]);
    } finally {
      watch.stop();
    }
  });
});
