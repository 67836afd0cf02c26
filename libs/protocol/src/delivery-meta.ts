/**
 * A change message's telemetry: the commit time of the change (ms since the epoch) and the trace
 * context of the evaluator's span. It travels in the Socket.IO broadcast options' flags, which
 * the adapters carry between nodes and never write to a socket.
 */
export interface DeliveryMeta {
  at: number;
  trace?: Record<string, string>;
}

/** The broadcast flag DeliveryMeta travels under. */
export const DELIVERY_META_FLAG = "tidings";
