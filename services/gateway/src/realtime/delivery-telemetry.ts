import { type Context, context, SpanKind, trace } from "@opentelemetry/api";
import { extractTraceContext } from "@tidings/bus";
import { DELIVERY_META_FLAG, type DeliveryMeta, SERVER_EVENTS } from "@tidings/protocol";
import { counterOf, histogramOf, METRICS } from "@tidings/telemetry";

const tracer = trace.getTracer("tidings.gateway");

type Packet = { data?: unknown };
type Options = { rooms?: Iterable<string>; flags?: Record<string, unknown> };
type Member = { transport?: unknown };

/** The members of a Socket.IO namespace adapter the tap wraps. */
export interface TappableAdapter {
  broadcast(packet: Packet, opts: Options): unknown;
  apply(opts: unknown, callback: (socket: Member) => void): void;
  /** Cluster adapters: a message from another node (or an emitter), broadcasts included. */
  onMessage?(message: unknown, offset?: string): unknown;
}

// socket.io-adapter's MessageType.BROADCAST.
const BROADCAST = 3;

const transportOf = (member: Member) =>
  typeof member.transport === "string" ? member.transport : "socket.io";

/**
 * Measures every change the adapter hands to sockets on this node, whether it came from Redis (an
 * evaluator's SPUBLISH) or from this process (single node): deliveries per transport, the time
 * since the change's commit, and a `deliver` span in the change's trace (from the evaluator's
 * context in the broadcast's flags). The adapter writes to every member of a room synchronously,
 * so counting the members its walk visits, while one change is being broadcast, is exact and costs
 * one map update per socket. Other packets (presence, acks, resubscribe) pass untouched.
 */
export function tapDeliveries(adapter: TappableAdapter): void {
  const deliveries = counterOf(METRICS.deliveries);
  const latency = histogramOf(METRICS.deliveryLatency);
  let counting: Map<string, number> | undefined;

  const apply = adapter.apply.bind(adapter);
  adapter.apply = (opts, callback) => {
    const counts = counting;
    if (!counts) return apply(opts, callback);
    apply(opts, (member) => {
      const transport = transportOf(member);
      counts.set(transport, (counts.get(transport) ?? 0) + 1);
      callback(member);
    });
  };

  const deliver = <T>(packet: Packet, opts: Options, broadcast: () => T): T => {
    if (!Array.isArray(packet.data) || packet.data[0] !== SERVER_EVENTS.change) return broadcast();
    const meta = opts.flags?.[DELIVERY_META_FLAG] as DeliveryMeta | undefined;
    const parent: Context = meta?.trace ? extractTraceContext(meta.trace) : context.active();
    const span = tracer.startSpan("deliver change", { kind: SpanKind.INTERNAL }, parent);
    if (span.isRecording()) span.setAttribute("tidings.rooms", [...(opts.rooms ?? [])]);
    const counts = new Map<string, number>();
    counting = counts;
    try {
      return context.with(trace.setSpan(parent, span), broadcast);
    } finally {
      counting = undefined;
      let total = 0;
      for (const [transport, count] of counts) {
        deliveries.add(count, { "tidings.transport": transport });
        total += count;
      }
      if (meta) latency.record(Math.max(0, Date.now() - meta.at) / 1000);
      span.setAttribute("tidings.deliveries", total);
      span.end();
    }
  };

  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet, opts) => deliver(packet, opts, () => broadcast(packet, opts));

  const onMessage = adapter.onMessage?.bind(adapter);
  if (onMessage) {
    adapter.onMessage = (message, offset) => {
      const { type, data } = message as {
        type?: number;
        data?: { packet?: Packet; opts?: Options; requestId?: string };
      };
      if (type !== BROADCAST || !data?.packet || data.requestId !== undefined)
        return onMessage(message, offset);
      return deliver(data.packet, data.opts ?? {}, () => onMessage(message, offset));
    };
  }
}
