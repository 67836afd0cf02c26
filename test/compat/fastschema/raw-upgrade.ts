import { randomBytes } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";

/** A WebSocket handshake made by hand, for headers the `ws` client cannot send as browsers do. */
export interface RawUpgrade {
  response: IncomingMessage;
  /** Resolves with the first frame the server sends: its opcode and payload. */
  firstFrame: Promise<{ opcode: number; payload: Buffer }>;
  socket: Socket;
}

/** Sends a WebSocket upgrade with exactly these headers and resolves on the 101. */
export function rawUpgrade(url: string, headers: Record<string, string>): Promise<RawUpgrade> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        ...headers,
      },
    });
    req.on("upgrade", (response, socket, head) => {
      let buffered = head;
      const firstFrame = new Promise<{ opcode: number; payload: Buffer }>((done) => {
        // Server frames are unmasked; these tests read small ones (up to 65535 bytes).
        const tryDecode = () => {
          if (buffered.length < 2) return;
          const short = (buffered[1] as number) & 0x7f;
          const offset = short === 126 ? 4 : 2;
          if (buffered.length < offset) return;
          const length = short === 126 ? buffered.readUInt16BE(2) : short;
          if (buffered.length < offset + length) return;
          const payload = buffered.subarray(offset, offset + length);
          done({ opcode: (buffered[0] as number) & 0x0f, payload });
        };
        socket.on("data", (chunk: Buffer) => {
          buffered = Buffer.concat([buffered, chunk]);
          tryDecode();
        });
        tryDecode();
      });
      resolve({ response, firstFrame, socket });
    });
    req.on("response", (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
    req.on("error", reject);
    req.end();
  });
}
