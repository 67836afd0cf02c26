import { isSpanContextValid, trace } from "@opentelemetry/api";

/** The ids a log line written inside a span carries (the names OpenTelemetry's log bridges use). */
export interface TraceLogFields {
  trace_id: string;
  span_id: string;
  /** W3C trace flags as two hex digits: `01` when the trace is sampled. */
  trace_flags: string;
}

// Returned by the mixin outside any span and recognised by the merge strategy, so a line written
// with no span active costs one context lookup and allocates nothing.
const NO_SPAN: object = Object.freeze({});

/** pino `mixin`: the active span's ids, or {@link NO_SPAN} when there is none. */
export function traceLogFields(): TraceLogFields | object {
  const span = trace.getActiveSpan();
  if (span === undefined) return NO_SPAN;
  const context = span.spanContext();
  // A span without a recording tracer (no SDK) carries the all-zero ids: nothing to tie to.
  if (!isSpanContextValid(context)) return NO_SPAN;
  return {
    trace_id: context.traceId,
    span_id: context.spanId,
    trace_flags: context.traceFlags.toString(16).padStart(2, "0"),
  };
}

/**
 * pino `mixinMergeStrategy` for {@link traceLogFields}: the line's own fields win, as with pino's
 * default, but with no span the line's object is used as it is instead of copied.
 */
export function mergeTraceLogFields(mergeObject: object, mixinObject: object): object {
  return mixinObject === NO_SPAN ? mergeObject : Object.assign(mixinObject, mergeObject);
}
