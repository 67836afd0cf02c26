import { extractTraceContext } from "./trace.ts";
import type { Delivery, StoredMessage } from "./transport.ts";
import type { BusMessage, BusRecord } from "./types.ts";

/** Header JetStream stores a publish's msgId under. */
export const MSG_ID_HEADER = "Nats-Msg-Id";

/** A stored message as the public API shows it. */
export function toRecord(message: StoredMessage): BusRecord {
  return {
    subject: message.subject,
    seq: message.seq,
    data: message.data,
    headers: message.headers,
    msgId: message.headers[MSG_ID_HEADER],
    time: message.time,
    context: extractTraceContext(message.headers),
  };
}

/** A delivery as a partition handler sees it. */
export function toBusMessage(delivery: Delivery, partition: number): BusMessage {
  return {
    ...toRecord(delivery),
    partition,
    deliveryCount: delivery.deliveryCount,
    working: () => delivery.working(),
  };
}
