import { type Link, ROOT_CONTEXT, type Span, SpanKind, trace } from "@opentelemetry/api";
import { type BusMessage, injectTraceContext, type PartitionConsumer } from "@tidings/bus";
import { counterOf, histogramOf, inSpan, METRICS, observeGauges } from "@tidings/telemetry";
import type { RoomEmit } from "./room-emitter.ts";

const tracer = trace.getTracer("tidings.evaluator");

/**
 * Spans and metrics of the batch handler. Each event is judged in a `process` span that is a CHILD
 * of the relay's publish span (from the message headers), so a change is one trace from the write
 * to the socket; the batch gets a span of its own that LINKS to its events' spans, since one batch
 * carries events of many traces and a span has one parent.
 */
export class BatchTelemetry {
  readonly #events = counterOf(METRICS.evaluatorEvents);
  readonly #batchDuration = histogramOf(METRICS.batchDuration);
  readonly #matchDuration = histogramOf(METRICS.matchDuration);

  /** Starts the batch's span, linked to the trace of each of its events. */
  startBatch(batch: BusMessage[]): { span: Span; startedAt: number } {
    const span = tracer.startSpan("evaluate batch", {
      attributes: {
        "tidings.partition": batch[0]?.partition ?? -1,
        "messaging.batch.message_count": batch.length,
      },
    });
    // Links only for a span that records: with tracing off this walk would be the batch's only
    // telemetry work.
    if (span.isRecording()) {
      const links: Link[] = [];
      for (const message of batch) {
        const linked = trace.getSpanContext(message.context);
        if (linked) links.push({ context: linked });
      }
      span.addLinks(links);
    }
    return { span, startedAt: performance.now() };
  }

  /** Hands the batch's room messages to `emit` inside an `emit rooms` span under the batch's. */
  emitting(started: { span: Span }, messages: number, emit: () => Promise<void>): Promise<void> {
    const parent = trace.setSpan(ROOT_CONTEXT, started.span);
    const span = tracer.startSpan(
      "emit rooms",
      { kind: SpanKind.PRODUCER, attributes: { "messaging.batch.message_count": messages } },
      parent,
    );
    return inSpan(span, parent, emit);
  }

  /** Ends the batch: its duration, and the events counted against their partition. */
  endBatch(batch: BusMessage[], started: { span: Span; startedAt: number }): void {
    started.span.end();
    this.#batchDuration.record((performance.now() - started.startedAt) / 1000);
    this.#events.add(batch.length, { "tidings.partition": batch[0]?.partition ?? -1 });
  }

  /** Starts the span of one event's judgement, in the trace the message carries. */
  startEvent(message: BusMessage): Span {
    return tracer.startSpan(
      `process ${message.subject}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "nats",
          "messaging.operation.type": "process",
          "messaging.destination.name": message.subject,
          "messaging.message.id": message.msgId ?? "",
          "tidings.partition": message.partition,
        },
      },
      message.context,
    );
  }

  /** Records one match's time (from performance.now() at its start). */
  matched(startedAt: number): void {
    this.#matchDuration.record((performance.now() - startedAt) / 1000);
  }
}

/**
 * What a room message carries for the gateway beside the packet: the change's commit time (for the
 * end-to-end latency) and, when the event's span records, its trace context, so the gateway's
 * delivery span joins the trace.
 */
export function deliveryMeta(at: string, span: Span): RoomEmit["meta"] {
  const committed = Date.parse(at);
  return span.isRecording()
    ? { at: committed, trace: injectTraceContext({}, trace.setSpan(ROOT_CONTEXT, span)) }
    : { at: committed };
}

/** One held partition and its consumer lag (null when the consumer's state cannot be read now). */
export interface PartitionStatus {
  partition: number;
  pending: number | null;
  ackPending: number | null;
}

/**
 * The partitions `consumer` holds, each with its lag: what the partition gauges report and what
 * the replica's status heartbeat carries.
 */
export async function partitionStatus(consumer: PartitionConsumer): Promise<PartitionStatus[]> {
  const lags = await consumer.pending();
  return consumer.owned().map((partition) => {
    const lag = lags.get(partition);
    return { partition, pending: lag?.pending ?? null, ackPending: lag?.ackPending ?? null };
  });
}

/**
 * Which partitions this replica holds (1 per partition) and each one's consumer lag (never
 * delivered plus unacknowledged), read when metrics are collected. Returns the function that
 * stops observing.
 */
export function observePartitions(consumer: () => PartitionConsumer | undefined): () => void {
  return observeGauges([METRICS.partitionHeld, METRICS.evaluatorPending], async (report) => {
    const current = consumer();
    if (!current) return;
    for (const { partition, pending, ackPending } of await partitionStatus(current)) {
      const attributes = { "tidings.partition": partition };
      report(METRICS.partitionHeld, 1, attributes);
      if (pending !== null && ackPending !== null)
        report(METRICS.evaluatorPending, pending + ackPending, attributes);
    }
  });
}
