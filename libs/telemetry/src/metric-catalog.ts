/** How an instrument aggregates (the OpenTelemetry instrument kinds Tidings uses). */
export type MetricKind = "counter" | "gauge" | "histogram";

/** One metric: its OpenTelemetry name and unit, who records it and what its attributes mean. */
export interface MetricSpec {
  name: string;
  kind: MetricKind;
  /** UCUM, as OpenTelemetry's semantic conventions write units: `s`, `{event}`, `{connection}`. */
  unit: string;
  description: string;
  services: readonly ("records" | "evaluator" | "gateway")[];
  attributes: readonly string[];
}

// One list, so the services, docs/observability.md, the Grafana dashboard and the alert rules all
// name the same series (tests compare them). Prometheus sees each name with dots as underscores,
// `_total` after counters and `_bucket`/`_sum`/`_count` after histograms.
const catalog = {
  httpDuration: {
    name: "http.server.request.duration",
    kind: "histogram",
    unit: "s",
    description: "Duration of HTTP requests, by method, route and status (semantic conventions).",
    services: ["records", "gateway"],
    attributes: ["http.request.method", "http.route", "http.response.status_code"],
  },
  outboxBacklog: {
    name: "tidings.outbox.backlog",
    kind: "gauge",
    unit: "{event}",
    description: "Outbox rows written but not yet published to the stream.",
    services: ["records"],
    attributes: [],
  },
  outboxOldestAge: {
    name: "tidings.outbox.oldest_age",
    kind: "gauge",
    unit: "s",
    description: "Age of the oldest unpublished outbox row; 0 when the outbox is empty.",
    services: ["records"],
    attributes: [],
  },
  relayPublishDuration: {
    name: "tidings.relay.publish.duration",
    kind: "histogram",
    unit: "s",
    description: "Time from handing a relay round's events to the stream to its acknowledgement.",
    services: ["records"],
    attributes: [],
  },
  relayPublished: {
    name: "tidings.relay.published",
    kind: "counter",
    unit: "{event}",
    description: "Change events the relay published to the stream.",
    services: ["records"],
    attributes: [],
  },
  evaluatorEvents: {
    name: "tidings.evaluator.events",
    kind: "counter",
    unit: "{event}",
    description: "Change events an evaluator consumed, by partition.",
    services: ["evaluator"],
    attributes: ["tidings.partition"],
  },
  evaluatorPending: {
    name: "tidings.evaluator.pending",
    kind: "gauge",
    unit: "{event}",
    description: "Events of a held partition not yet delivered to its consumer (consumer lag).",
    services: ["evaluator"],
    attributes: ["tidings.partition"],
  },
  partitionHeld: {
    name: "tidings.evaluator.partition.held",
    kind: "gauge",
    unit: "{partition}",
    description: "1 for each partition this replica holds (service.instance.id names the replica).",
    services: ["evaluator"],
    attributes: ["tidings.partition"],
  },
  batchDuration: {
    name: "tidings.evaluator.batch.duration",
    kind: "histogram",
    unit: "s",
    description: "Time to judge one batch of a partition and hand its room messages to Redis.",
    services: ["evaluator"],
    attributes: [],
  },
  matchDuration: {
    name: "tidings.evaluator.match.duration",
    kind: "histogram",
    unit: "s",
    description: "Time to match one change event against its collection's subscription groups.",
    services: ["evaluator"],
    attributes: [],
  },
  deadLetters: {
    name: "tidings.evaluator.dead_letters",
    kind: "counter",
    unit: "{event}",
    description: "Events parked in the dead-letter stream after failing every delivery attempt.",
    services: ["evaluator"],
    attributes: [],
  },
  deliveries: {
    name: "tidings.gateway.deliveries",
    kind: "counter",
    unit: "{event}",
    description: "Change events written to client connections, by transport.",
    services: ["gateway"],
    attributes: ["tidings.transport"],
  },
  deliveryLatency: {
    name: "tidings.gateway.delivery.latency",
    kind: "histogram",
    unit: "s",
    description: "From the write's commit to the change's hand-over to the sockets of one group.",
    services: ["gateway"],
    attributes: [],
  },
  connections: {
    name: "tidings.gateway.connections",
    kind: "gauge",
    unit: "{connection}",
    description: "Open client connections, by transport.",
    services: ["gateway"],
    attributes: ["tidings.transport"],
  },
  subscriptions: {
    name: "tidings.gateway.subscriptions",
    kind: "gauge",
    unit: "{subscription}",
    description: "Live subscriptions, by transport.",
    services: ["gateway"],
    attributes: ["tidings.transport"],
  },
  groups: {
    name: "tidings.gateway.subscription_groups",
    kind: "gauge",
    unit: "{group}",
    description: "Subscription groups (Socket.IO rooms) with a member on this gateway.",
    services: ["gateway"],
    attributes: [],
  },
  slowConsumers: {
    name: "tidings.gateway.slow_consumer.disconnects",
    kind: "counter",
    unit: "{connection}",
    description: "Connections cut because their unsent backlog passed the slow-consumer limit.",
    services: ["gateway"],
    attributes: [],
  },
  refusals: {
    name: "tidings.limit.refusals",
    kind: "counter",
    unit: "{request}",
    description: "Requests and messages refused by a rate limit or a size/count limit, by limit.",
    services: ["records", "gateway"],
    attributes: ["tidings.limit"],
  },
} as const satisfies Record<string, MetricSpec>;

/** Every metric Tidings records. */
export const METRICS: { readonly [K in keyof typeof catalog]: MetricSpec } = catalog;
