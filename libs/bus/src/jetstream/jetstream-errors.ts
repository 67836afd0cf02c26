import {
  BusConfigError,
  BusError,
  BusUnavailableError,
  ExpectationFailedError,
  ResourceMissingError,
} from "../errors.ts";
import type { StreamSpec } from "../transport.ts";

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
const WRONG_LAST_SEQUENCE = 10071;
const WRONG_LAST_MSG_ID = 10070;

// nats.js error names meaning "the server or JetStream cannot be reached right now".
const UNAVAILABLE = new Set([
  "ClosedConnectionError",
  "DrainingConnectionError",
  "ConnectionError",
  "RequestError",
  "TimeoutError",
  "NoResponders",
  "JetStreamNotEnabled",
]);

interface NatsErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
}

/**
 * Turns a nats.js error into this package's: outages become {@link BusUnavailableError},
 * missing streams or consumers {@link ResourceMissingError}, a failed conditional publish
 * {@link ExpectationFailedError}; anything else is returned as is.
 */
export function fromNatsError(error: unknown, operation: string): unknown {
  if (error instanceof BusError || typeof error !== "object" || error === null) return error;
  const { name = "", message = "", code } = error as NatsErrorLike;
  const options = { cause: error };
  if (name === "StreamNotFoundError" || name === "ConsumerNotFoundError") {
    return new ResourceMissingError(message, options);
  }
  if (name === "JetStreamApiError") {
    if (code === STREAM_NOT_FOUND || code === CONSUMER_NOT_FOUND)
      return new ResourceMissingError(message, options);
    if (code === WRONG_LAST_SEQUENCE || code === WRONG_LAST_MSG_ID) {
      return new ExpectationFailedError(message, options);
    }
  }
  if (name === "JetStreamStatusError") {
    if (code === 409 && /consumer deleted|consumer not found/i.test(message)) {
      return new ResourceMissingError(message, options);
    }
    if (code === 503 || code === 408) return new BusUnavailableError(operation, options);
  }
  if (UNAVAILABLE.has(name) || /heartbeats missed|connection|ECONNREFUSED/i.test(message)) {
    return new BusUnavailableError(operation, options);
  }
  return error;
}

/**
 * The server's refusal of a stream's configuration as a {@link BusConfigError} naming the stream
 * and its replicas (the setting a deployment most often gets wrong); an outage stays an outage.
 */
export function refusedStream(spec: StreamSpec, refusal: unknown): unknown {
  const mapped = fromNatsError(refusal, "ensureStream");
  if (mapped !== refusal || !(refusal instanceof Error)) return mapped;
  const hint =
    spec.replicas > 1
      ? "; a stream has at most as many replicas as the JetStream cluster has servers, and 1 on a server that is not clustered"
      : "";
  return new BusConfigError(
    `NATS refused stream ${spec.name} with ${spec.replicas} replica(s): ${refusal.message}${hint}`,
    { cause: refusal },
  );
}
