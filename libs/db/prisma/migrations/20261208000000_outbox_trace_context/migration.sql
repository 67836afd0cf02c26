-- The trace context (W3C traceparent/tracestate, as the propagator writes them) of the request that
-- wrote the change, so the relay's publish continues that trace. NULL when the writer traced
-- nothing, which is every row when tracing is off.
ALTER TABLE "outbox" ADD COLUMN "trace_context" JSONB;
