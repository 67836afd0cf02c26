import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";

type Headers = Record<string, string>;

const setter: TextMapSetter<Headers> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

// NATS keeps header names as sent, but a proxy or another client may change their case.
const getter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    if (key in carrier) return carrier[key];
    const lower = key.toLowerCase();
    for (const name of Object.keys(carrier)) {
      if (name.toLowerCase() === lower) return carrier[name];
    }
    return undefined;
  },
};

/**
 * Returns `headers` plus the active trace context (`traceparent`, `tracestate`) as the globally
 * registered propagator writes it; unchanged when no propagator is registered.
 */
export function injectTraceContext(
  headers: Headers = {},
  from: Context = context.active(),
): Headers {
  const carrier = { ...headers };
  propagation.inject(from, carrier, setter);
  return carrier;
}

/** The trace context carried by message headers, to start a consumer span under. */
export function extractTraceContext(headers: Headers): Context {
  return propagation.extract(ROOT_CONTEXT, headers, getter);
}
