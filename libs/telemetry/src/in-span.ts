import { type Context, context, type Span, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * Runs `run` with `span` active (under `parent`) and ends the span when the promise settles, an
 * error status on rejection: what every manual span around an async step does.
 */
export function inSpan<T>(span: Span, parent: Context, run: () => Promise<T>): Promise<T> {
  return context.with(trace.setSpan(parent, span), run).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      span.end();
      throw error;
    },
  );
}
