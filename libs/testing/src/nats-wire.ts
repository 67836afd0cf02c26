import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

const CRLF = "\r\n";

/**
 * A few request/reply round trips over the plain NATS text protocol, enough for fixtures to
 * check for JetStream and delete test streams without depending on a client library.
 */
export async function natsRequests(
  url: string,
  requests: Array<{ subject: string; payload?: string }>,
  timeoutMs = 5_000,
): Promise<string[]> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port || 4222) });
  const inbox = `_INBOX.${randomBytes(8).toString("hex")}`;
  const replies: string[] = [];
  const pending: Array<(reply: string) => void> = [];
  let buffer = Buffer.alloc(0);
  let ready: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    ready = resolve;
  });

  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf(CRLF);
      if (end < 0) return;
      const line = buffer.subarray(0, end).toString();
      if (line.startsWith("MSG ")) {
        const size = Number(line.split(" ").at(-1));
        if (buffer.length < end + 2 + size + 2) return;
        const payload = buffer.subarray(end + 2, end + 2 + size).toString();
        buffer = buffer.subarray(end + 2 + size + 2);
        pending.shift()?.(payload);
        continue;
      }
      buffer = buffer.subarray(end + 2);
      if (line === "PING") socket.write(`PONG${CRLF}`);
      else if (line === "PONG") ready();
      else if (line.startsWith("-ERR")) socket.destroy(new Error(`NATS: ${line}`));
    }
  };

  try {
    await withTimeout(
      (async () => {
        await once(socket, "connect");
        socket.on("data", onData);
        socket.write(`CONNECT {"verbose":false,"pedantic":false,"protocol":1}${CRLF}PING${CRLF}`);
        await connected;
        socket.write(`SUB ${inbox} 1${CRLF}`);
        for (const { subject, payload = "" } of requests) {
          const reply = new Promise<string>((resolve) => pending.push(resolve));
          const bytes = Buffer.byteLength(payload);
          socket.write(`PUB ${subject} ${inbox} ${bytes}${CRLF}${payload}${CRLF}`);
          replies.push(await reply);
        }
      })(),
      timeoutMs,
      socket,
    );
    return replies;
  } finally {
    socket.destroy();
  }
}

function once(socket: Socket, event: "connect"): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => resolve());
    socket.once("error", reject);
  });
}

async function withTimeout<T>(work: Promise<T>, ms: number, socket: Socket): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`NATS request timed out after ${ms} ms`)), ms);
    socket.once("error", reject);
    socket.once("close", () => reject(new Error("NATS connection closed")));
  });
  // Closing the socket afterwards rejects it too; nobody needs to hear about that.
  failed.catch(() => {});
  try {
    return await Promise.race([work, failed]);
  } finally {
    clearTimeout(timer);
  }
}
