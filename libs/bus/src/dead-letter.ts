import type { BusNames } from "./naming.ts";
import { MSG_ID_HEADER } from "./records.ts";
import type { Delivery, Transport } from "./transport.ts";

/** Headers a parked message carries besides its original ones. */
export const DLQ_HEADERS = {
  /** Why it was parked: the handler's last error, on one line. */
  reason: "Tidings-Dlq-Reason",
  /** Subject it was published on. */
  subject: "Tidings-Dlq-Subject",
  /** Its sequence in the events stream. */
  seq: "Tidings-Dlq-Seq",
  /** How many times it had been delivered. */
  deliveries: "Tidings-Dlq-Deliveries",
  /** The msgId it was published with, if any. */
  msgId: "Tidings-Dlq-Msg-Id",
} as const;

/**
 * Copies a message that keeps failing to its partition's dead-letter subject, with its original
 * headers (trace context included) and the reason. The copy's msgId is derived from the original
 * sequence, so parking twice (a crash between park and term) stores it once.
 */
export async function parkMessage(
  transport: Transport,
  names: BusNames,
  delivery: Delivery,
  partition: number,
  reason: string,
  timeoutMs: number,
): Promise<number> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(delivery.headers)) {
    if (!key.toLowerCase().startsWith("nats-")) headers[key] = value;
  }
  headers[DLQ_HEADERS.reason] = reason;
  headers[DLQ_HEADERS.subject] = delivery.subject;
  headers[DLQ_HEADERS.seq] = String(delivery.seq);
  headers[DLQ_HEADERS.deliveries] = String(delivery.deliveryCount);
  const msgId = delivery.headers[MSG_ID_HEADER];
  if (msgId !== undefined) headers[DLQ_HEADERS.msgId] = msgId;
  const ack = await transport.publish(names.subjects.dlq(partition), delivery.data, {
    msgId: `${names.streams.events}:${delivery.seq}`,
    headers,
    timeoutMs,
  });
  return ack.seq;
}
