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

/**
 * The outbox backlog and the age of its oldest unsent row, read when metrics are collected: one
 * query on the partial index of unsent rows per scrape, none when nothing scrapes. Every replica
 * reports the one database's figure: dashboards take the max. Returns the function that stops it.
 */
export function observeOutboxBacklog(sql: SqlClient): () => void {
  return observeGauges([METRICS.outboxBacklog, METRICS.outboxOldestAge], async (report) => {
    const [row] = await sql.query<{ rows: string; oldest: Date | string | null }>(
      "SELECT count(*) AS rows, min(at) AS oldest FROM outbox WHERE sent_at IS NULL",
    );
    report(METRICS.outboxBacklog, Number(row?.rows ?? 0));
    const age = row?.oldest ? Date.now() - new Date(row.oldest).getTime() : 0;
    report(METRICS.outboxOldestAge, Math.max(0, age) / 1000);
  });
}
