import type { ChangeEventMessage } from "./change-event.ts";

// The answers of the admin API (docs/admin-api.md), as records sends them and the admin console
// reads them: one definition, so neither side can drift from the other.

type Counts = Record<string, number>;

/** What `GET /api/admin/cluster` answers. */
export interface ClusterView {
  generatedAt: string;
  processes: Array<{
    id: string;
    service: "records" | "evaluator" | "gateway";
    host: string;
    pid: number;
    startedAt: string;
    lastSeen: string;
  }>;
  /** Connections and subscriptions by transport (`socket.io`, `pocketbase`, …). */
  gateways: Array<{ id: string; connections: Counts; subscriptions: Counts }>;
  /** Each partition's lag; null where the consumer's state could not be read. */
  evaluators: Array<{
    id: string;
    partitions: Array<{ partition: number; pending: number | null; ackPending: number | null }>;
  }>;
  partitions: { total: number; unheld: number[] };
  outbox: { backlog: number; oldestAgeSeconds: number | null };
  /** Null when the bus cannot say (down, or not started yet): the rest is shown all the same. */
  deadLetters: { count: number } | null;
}

/** One dead letter as `GET /api/admin/dead-letters` lists it. */
export interface DeadLetterView {
  /** Its sequence in the dead-letter stream: what retry and drop name. */
  seq: number;
  partition: number;
  /** The events subject it was published on, where a retry publishes it again. */
  subject: string;
  /** Its sequence in the events stream. */
  originalSeq: number;
  deliveries: number;
  reason: string;
  parkedAt: string;
  /** The change event, hidden fields removed; null when the payload is not a valid change event. */
  event: ChangeEventMessage | null;
}

/** One client a gateway holds, as `GET /api/admin/clients` lists it. */
export interface ClientView {
  id: string;
  /** As the gateway's metrics label it: `socket.io`, `pocketbase`, `pusher`, … */
  transport: string;
  userId: string | null;
  connectedAt: string;
  subscriptions: Array<{
    /** The collection's name (its id when the collection is gone). */
    collection: string;
    recordId: string | null;
    filter: string | null;
  }>;
}

/** What `GET /api/admin/clients` answers. */
export interface ClientsAnswer {
  gateways: Array<{ id: string; clients: ClientView[]; truncated: boolean }>;
  /** Gateways expected to answer that did not in time. */
  missing: string[];
}
