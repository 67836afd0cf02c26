import { type Bus, BusError, isRetryable } from "@tidings/bus";
import type { SqlClient } from "@tidings/db";
import type { ServiceName } from "@tidings/service";
import { type OutboxBacklog, readOutboxBacklog } from "../outbox/relay-telemetry.ts";
import type { StatusBoard } from "./status-board.ts";

type Counts = Record<string, number>;
type PartitionLagView = { partition: number; pending: number | null; ackPending: number | null };

/** What `GET /api/admin/cluster` answers. */
export interface ClusterView {
  generatedAt: string;
  processes: Array<{
    id: string;
    service: ServiceName;
    host: string;
    pid: number;
    startedAt: string;
    lastSeen: string;
  }>;
  gateways: Array<{ id: string; connections: Counts; subscriptions: Counts }>;
  evaluators: Array<{ id: string; partitions: PartitionLagView[] }>;
  partitions: { total: number; unheld: number[] };
  outbox: OutboxBacklog;
  /** Null when the bus cannot say (down, or not started yet): the rest is shown all the same. */
  deadLetters: { count: number } | null;
}

/** The dead-letter count; null when the bus cannot be asked now. */
async function deadLetterCount(bus: Bus): Promise<{ count: number } | null> {
  try {
    return { count: await bus.deadLetters.count() };
  } catch (error) {
    if (error instanceof BusError || isRetryable(error)) return null;
    throw error;
  }
}

/**
 * The cluster as the heartbeats last described it (seconds old), with the outbox (read from the
 * database now) and the dead-letter count (read from the bus now; null when the bus is down, when
 * the outbox backlog matters most).
 */
export async function clusterView(deps: {
  board: StatusBoard;
  bus: Bus;
  sql: SqlClient;
}): Promise<ClusterView> {
  const { board, bus, sql } = deps;
  const [outbox, deadLetters] = await Promise.all([readOutboxBacklog(sql), deadLetterCount(bus)]);
  const live = board.processes();
  const view: ClusterView = {
    generatedAt: new Date().toISOString(),
    processes: [],
    gateways: [],
    evaluators: [],
    partitions: { total: bus.partitions, unheld: [] },
    outbox,
    deadLetters,
  };
  const held = new Set<number>();
  for (const { notice, lastSeen } of live) {
    const { id, service, host, pid, startedAt } = notice;
    view.processes.push({ id, service, host, pid, startedAt, lastSeen: lastSeen.toISOString() });
    if (notice.service === "gateway") {
      const { connections, subscriptions } = notice;
      view.gateways.push({ id, connections, subscriptions });
    } else if (notice.service === "evaluator") {
      view.evaluators.push({ id, partitions: notice.partitions });
      for (const { partition } of notice.partitions) held.add(partition);
    }
  }
  for (let partition = 0; partition < bus.partitions; partition++)
    if (!held.has(partition)) view.partitions.unheld.push(partition);
  return view;
}
