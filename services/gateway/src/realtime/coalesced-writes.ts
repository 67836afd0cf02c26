import type { Server } from "node:http";
import type { Socket } from "node:net";

function uncork(socket: Socket): void {
  socket.uncork();
}

/**
 * Every connection's writes of one tick leave in one system call. A Socket.IO packet is its own
 * WebSocket frame and its own write: a resume's acknowledgements and replayed changes, or a batch
 * of deliveries to one client, would otherwise cost a `writev` each (on loopback the sender also
 * pays for the receiver's side of TCP). Node's HTTP responses cork the same way until the next
 * tick; this extends it to what is written after an upgrade.
 */
export function coalesceWrites(server: Server): void {
  server.on("connection", (socket: Socket) => {
    const write = socket.write;
    const destroy = socket.destroy;
    socket.write = function coalescedWrite(this: Socket, ...args: Parameters<Socket["write"]>) {
      if (this.writableCorked === 0 && !this.destroyed) {
        this.cork();
        process.nextTick(uncork, this);
      }
      return write.apply(this, args);
    } as Socket["write"];
    // Written, then destroyed in the same tick (an HTTP error answer to a bad request, a refused
    // upgrade): what was written is sent first, as it was before writes were held.
    socket.destroy = function flushedDestroy(this: Socket, error?: Error) {
      while (this.writableCorked > 0) this.uncork();
      return destroy.call(this, error);
    };
  });
}
