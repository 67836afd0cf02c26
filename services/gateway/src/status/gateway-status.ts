import type { Bus } from "@tidings/bus";
import {
  CLIENTS_QUERY_TOPIC,
  type ClientsReply,
  clientsQuerySchema,
  decodeNotice,
  encodeNotice,
  type Logger,
  startStatusBeacon,
} from "@tidings/service";
import { countByTransport } from "../realtime/gateway-gauges.ts";
import { type ClientListDeps, listClients } from "./client-list.ts";

/** What a gateway's announcements are made of. */
export interface GatewayStatusDeps extends ClientListDeps {
  bus: Bus;
  /** The node's id: its connections' `node_id` and its id in the cluster view. */
  id: string;
  logger: Logger;
  /** Time between two heartbeats. @default DEFAULT_STATUS_INTERVAL_MS */
  intervalMs?: number;
}

/**
 * Announces the gateway on the bus (its connections and subscriptions by transport, counted as
 * the gauges count them) and answers the records service's questions about its clients on the
 * reply topic each question names. The bus must be running; `stop()` says goodbye.
 */
export function announceGateway(deps: GatewayStatusDeps): { stop(): void } {
  const { bus, id, logger } = deps;
  const beacon = startStatusBeacon(
    bus,
    () => {
      const { connections, subscriptions } = countByTransport(deps.io);
      return {
        service: "gateway",
        connections: Object.fromEntries(connections),
        subscriptions: Object.fromEntries(subscriptions),
      };
    },
    { id, logger, ...(deps.intervalMs ? { intervalMs: deps.intervalMs } : {}) },
  );
  const stopAnswering = bus.onNotice(CLIENTS_QUERY_TOPIC, (data) => {
    const query = decodeNotice(clientsQuerySchema, data);
    if (!query || (query.gateway !== undefined && query.gateway !== id)) return;
    listClients(deps, query.limit)
      .then((list) => {
        const reply: ClientsReply = { v: 1, gateway: id, ...list };
        bus.notify(query.replyTopic, encodeNotice(reply));
      })
      .catch((error: unknown) => logger.warn({ err: error }, "status: could not list clients"));
  });
  return {
    stop() {
      stopAnswering();
      beacon.stop();
    },
  };
}
