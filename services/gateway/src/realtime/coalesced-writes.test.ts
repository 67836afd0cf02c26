import { createServer } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { coalesceWrites } from "./coalesced-writes.ts";

describe("coalesceWrites", () => {
  const server = createServer();
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("holds a connection's writes of one tick and sends them together on the next", async () => {
    coalesceWrites(server);
    const held: { corked: number; queued: number }[] = [];
    server.on("connection", (socket: Socket) => {
      socket.write("one,");
      socket.write("two,");
      socket.write("three");
      held.push({ corked: socket.writableCorked, queued: socket.writableLength });
      process.nextTick(() => {
        held.push({ corked: socket.writableCorked, queued: socket.writableLength });
        socket.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const client = connect(port, "127.0.0.1");
    const chunks: string[] = [];
    client.on("data", (chunk) => chunks.push(chunk.toString()));
    await new Promise((resolve) => client.on("end", resolve));
    // All three were still in the process at the end of the tick, and left in one write after it.
    expect(held).toEqual([
      { corked: 1, queued: 13 },
      { corked: 0, queued: 0 },
    ]);
    expect(chunks).toEqual(["one,two,three"]);
  });
});
