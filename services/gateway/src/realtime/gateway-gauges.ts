import { METRICS, observeGauges } from "@tidings/telemetry";
import type { GatewayServer } from "./socket-types.ts";

type Member = {
  transport?: unknown;
  subscriptionCount?: () => number;
  data?: { subscriptions?: Map<string, unknown> };
};

/** The transport a namespace member speaks, as the metrics label it. */
export function transportOf(member: unknown): string {
  const { transport } = member as Member;
  return typeof transport === "string" ? transport : "socket.io";
}

/** Open connections and live subscriptions by transport, from one walk over the namespace. */
export function countByTransport(io: GatewayServer): {
  connections: Map<string, number>;
  subscriptions: Map<string, number>;
} {
  const connections = new Map<string, number>();
  const subscriptions = new Map<string, number>();
  for (const member of io.of("/").sockets.values() as Iterable<Member>) {
    const transport = transportOf(member);
    const held = member.subscriptionCount?.() ?? member.data?.subscriptions?.size ?? 0;
    connections.set(transport, (connections.get(transport) ?? 0) + 1);
    subscriptions.set(transport, (subscriptions.get(transport) ?? 0) + held);
  }
  return { connections, subscriptions };
}

/**
 * Connections and subscriptions by transport and the subscription groups with a member here, read
 * from the namespace when metrics are collected: one walk over the connections per scrape instead
 * of bookkeeping on every connect, subscribe and close. Returns the function that stops it.
 */
export function observeGateway(io: GatewayServer): () => void {
  return observeGauges([METRICS.connections, METRICS.subscriptions, METRICS.groups], (report) => {
    const { connections, subscriptions } = countByTransport(io);
    for (const [transport, count] of connections)
      report(METRICS.connections, count, { "tidings.transport": transport });
    for (const [transport, count] of subscriptions)
      report(METRICS.subscriptions, count, { "tidings.transport": transport });
    // Every member also sits in the room of its own id; the other rooms are groups and channels.
    const { rooms, sids } = io.of("/").adapter;
    report(METRICS.groups, Math.max(0, rooms.size - sids.size));
  });
}
