import { SpanKind, trace } from "@opentelemetry/api";
import { extractTraceContext } from "@tidings/bus";
import type { SqlClient } from "@tidings/db";
import { counterOf, histogramOf, inSpan, METRICS, observeGauges } from "@tidings/telemetry";

const tracer = trace.getTracer("tidings.records");

/**
 * Runs one event's publish inside a `publish <subject>` producer span that continues the writer's
 * trace (the context stored with the outbox row): the bus writes the span into the message headers,
 * where the evaluator picks it up. A row written untraced publishes as before, with no span.
 */
export function publishInWritersTrace<T>(
  stored: Record<string, string> | null,
  subject: string,
  eventId: string,
  publish: () => Promise<T>,
): Promise<T> {
  if (stored === null) return publish();
  const parent = extractTraceContext(stored);
  const span = tracer.startSpan(
    `publish ${subject}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": subject,
        "messaging.message.id": eventId,
      },
    },
    parent,
  );
  return inSpan(span, parent, publish);
}

/** The relay's counters: events published and how long the stream took to take each round. */
export class RelayMetrics {
  readonly #published = counterOf(METRICS.relayPublished);
  readonly #duration = histogramOf(METRICS.relayPublishDuration);

  /** A round of `events` handed to the stream `startedAt` (performance.now()) and acknowledged. */
  published(events: number, startedAt: number): void {
    this.#published.add(events);
    this.#duration.record((performance.now() - startedAt) / 1000);
  }
}

/** Outbox rows not yet published, and the age of the oldest (null when there is none). */
export interface OutboxBacklog {
  backlog: number;
  oldestAgeSeconds: number | null;
}

/**
 * Reads the backlog: one query on the partial index of unsent rows. What the backlog gauges
 * report, and what the admin API shows.
 */
export async function readOutboxBacklog(sql: SqlClient): Promise<OutboxBacklog> {
  const [row] = await sql.query<{ rows: string; oldest: Date | string | null }>(
    "SELECT count(*) AS rows, min(at) AS oldest FROM outbox WHERE sent_at IS NULL",
  );
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : undefined;
  return {
    backlog: Number(row?.rows ?? 0),
    oldestAgeSeconds: oldest === undefined ? null : Math.max(0, Date.now() - oldest) / 1000,
  };
}

/**
 * The outbox backlog and the age of its oldest unsent row (0 when none), read when metrics are
 * collected: one query per scrape, none when nothing scrapes. Every replica reports the one
 * database's figure: dashboards take the max. Returns the function that stops it.
 */
export function observeOutboxBacklog(sql: SqlClient): () => void {
  return observeGauges([METRICS.outboxBacklog, METRICS.outboxOldestAge], async (report) => {
    const { backlog, oldestAgeSeconds } = await readOutboxBacklog(sql);
    report(METRICS.outboxBacklog, backlog);
    report(METRICS.outboxOldestAge, oldestAgeSeconds ?? 0);
  });
}
