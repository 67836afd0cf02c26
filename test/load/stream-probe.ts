import { io, type Socket } from "socket.io-client";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    auth: { token },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * The change stream's retained range, read through the realtime protocol itself: a `subscribe`
 * that resumes from beyond the stream's end is refused with `RESYNC_REQUIRED` `{oldestSeq,
 * lastSeq}` (and nothing is stored). Tried three times: a node busy with its history may be slow.
 */
export async function streamPosition(
  url: string,
  token: string,
): Promise<{ oldestSeq: number; lastSeq: number; retained: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await readPosition(url, token);
    } catch (error) {
      if (attempt >= 3) throw error;
      await pause(2_000 * attempt);
    }
  }
}

async function readPosition(url: string, token: string) {
  const socket = await connect(url, token);
  try {
    const ack = await socket.timeout(120_000).emitWithAck("subscribe", {
      collection: "feed",
      resumeFrom: Number.MAX_SAFE_INTEGER,
    });
    const data = ack?.error?.data as { oldestSeq?: number; lastSeq?: number } | undefined;
    if (ack?.error?.code !== "RESYNC_REQUIRED" || typeof data?.lastSeq !== "number")
      throw new Error(`expected RESYNC_REQUIRED, got ${JSON.stringify(ack)}`);
    const oldestSeq = data.oldestSeq ?? 0;
    const retained =
      data.lastSeq >= oldestSeq && data.lastSeq > 0 ? data.lastSeq - oldestSeq + 1 : 0;
    return { oldestSeq, lastSeq: data.lastSeq, retained };
  } finally {
    socket.close();
  }
}

/**
 * Subscribes to one record of a collection and resolves `arrived` when a change of it comes: the
 * last event of a history fill tells that everything before it went through the relay and the
 * evaluator (one collection's events are handled in order). A lost connection (a node busy
 * enough to miss heartbeats) is resumed from the first ack's position, so the change still comes.
 */
export async function watchRecord(
  url: string,
  token: string,
  collection: string,
  recordId: string,
): Promise<{ arrived: Promise<void>; close: () => void }> {
  let closed = false;
  let socket: Socket | undefined;
  let from: number | undefined;
  let done = () => {};
  const arrived = new Promise<void>((resolve) => {
    done = resolve;
  });
  const subscribe = async () => {
    const current = await connect(url, token);
    socket = current;
    current.on("change", (change: { record?: { id?: string } }) => {
      if (change.record?.id === recordId) done();
    });
    current.on("disconnect", (reason) => {
      if (!closed && reason !== "io client disconnect") void again();
    });
    const ack = await current.timeout(120_000).emitWithAck("subscribe", {
      collection,
      recordId,
      ...(from === undefined ? {} : { resumeFrom: from }),
    });
    if (!ack?.ok) {
      current.close();
      throw new Error(`subscribe ${collection}/${recordId}: ${JSON.stringify(ack)}`);
    }
    from ??= ack.throughSeq as number;
  };
  const again = async () => {
    for (let delay = 1_000; !closed; delay = Math.min(10_000, delay * 2)) {
      await pause(delay);
      try {
        await subscribe();
        return;
      } catch {
        socket?.close();
      }
    }
  };
  await subscribe();
  return {
    arrived,
    close: () => {
      closed = true;
      socket?.close();
    },
  };
}
