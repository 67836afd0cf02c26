import { createServer } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { coalesceWrites } from "./coalesced-writes.ts";

describe("coalesceWrites", () => {
  let server = createServer();
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
  });

  // Serves one raw TCP connection with `serve`; resolves to the chunks the client read, in order.
  async function received(serve: (socket: Socket) => void): Promise<string[]> {
    coalesceWrites(server);
    server.on("connection", serve);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const client = connect(port, "127.0.0.1");
    const chunks: string[] = [];
    client.on("data", (chunk) => chunks.push(chunk.toString()));
    await new Promise((resolve) => client.on("close", resolve));
    return chunks;
  }

  it("holds a connection's writes of one tick and sends them together on the next", async () => {
    const held: { corked: number; queued: number }[] = [];
    const chunks = await received((socket) => {
      socket.write("one,");
      socket.write("two,");
      socket.write("three");
      held.push({ corked: socket.writableCorked, queued: socket.writableLength });
      process.nextTick(() => {
        held.push({ corked: socket.writableCorked, queued: socket.writableLength });
        socket.end();
      });
    });
    // All three were still in the process at the end of the tick, and left in one write after it.
    expect(held).toEqual([
      { corked: 1, queued: 13 },
      { corked: 0, queued: 0 },
    ]);
    expect(chunks).toEqual(["one,two,three"]);
  });

  it("sends what was written before a destroy in the same tick", async () => {
    const answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    const chunks = await received((socket) => {
      socket.write(answer);
      socket.destroy();
    });
    expect(chunks.join("")).toBe(answer);
  });
});
