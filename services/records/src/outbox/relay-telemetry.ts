import { propagation, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import type { SqlClient } from "@tidings/db";
import { counterOf, gaugeOf, histogramOf, inSpan, METRICS } from "@tidings/telemetry";

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
  const parent = propagation.extract(ROOT_CONTEXT, stored);
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
 * The outbox backlog and the age of its oldest unsent row, read when metrics are collected (one
 * query on the partial index of unsent rows per scrape; none when nothing scrapes). Every replica
 * reports the one database's figure: dashboards take the max. Returns the function that stops it.
 */
export function observeOutboxBacklog(sql: SqlClient): () => void {
  let last: Promise<{ rows: number; age: number }> | undefined;
  // Both gauges are collected in one pass; they share the query of that pass.
  const read = () => {
    last ??= sql
      .query<{ rows: string; oldest: Date | string | null }>(
        "SELECT count(*) AS rows, min(at) AS oldest FROM outbox WHERE sent_at IS NULL",
      )
      .then(([row]) => ({
        rows: Number(row?.rows ?? 0),
        age: row?.oldest ? Math.max(0, Date.now() - new Date(row.oldest).getTime()) / 1000 : 0,
      }))
      .finally(() => setTimeout(() => (last = undefined), 500).unref());
    return last;
  };
  const stopBacklog = gaugeOf(METRICS.outboxBacklog, async (report) => {
    report((await read().catch(() => ({ rows: Number.NaN }))).rows);
  });
  const stopAge = gaugeOf(METRICS.outboxOldestAge, async (report) => {
    report((await read().catch(() => ({ age: Number.NaN }))).age);
  });
  return () => {
    stopBacklog();
    stopAge();
  };
}
