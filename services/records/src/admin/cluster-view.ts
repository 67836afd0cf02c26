import { type Bus, BusError, isRetryable } from "@tidings/bus";
import type { SqlClient } from "@tidings/db";
import type { ClusterView } from "@tidings/protocol";
import { readOutboxBacklog } from "../outbox/relay-telemetry.ts";
import type { StatusBoard } from "./status-board.ts";

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
