/** Base of every error this package throws. */
export class BusError extends Error {
  override readonly name: string = "BusError";
  /** True when the same call may succeed later unchanged (outage, timeout). */
  readonly retryable: boolean = false;
}

/**
 * The server cannot be reached, timed out, or has no JetStream responder. Retry later with the
 * same msgId: a publish that was stored after all is answered as a duplicate.
 */
export class BusUnavailableError extends BusError {
  override readonly name = "BusUnavailableError";
  override readonly retryable = true;

  constructor(operation: string, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`bus unavailable during ${operation}${reason}`, options);
  }
}

/** A call came before `start()` or after `stop()`. */
export class BusStateError extends BusError {
  override readonly name = "BusStateError";
}

/** A bus or consumer option is out of range or malformed. */
export class BusConfigError extends BusError {
  override readonly name = "BusConfigError";
}

/** A subject belongs to none of the bus's streams. */
export class UnknownSubjectError extends BusError {
  override readonly name = "UnknownSubjectError";

  constructor(readonly subject: string) {
    super(`subject ${JSON.stringify(subject)} belongs to no stream of this bus`);
  }
}

/** `Tail.waitFor()`/`sync()` did not reach the sequence in time. */
export class BarrierTimeoutError extends BusError {
  override readonly name = "BarrierTimeoutError";
  override readonly retryable = true;

  constructor(
    readonly seq: number,
    readonly position: number,
    timeoutMs: number,
  ) {
    super(`tail reached ${position}, not ${seq}, within ${timeoutMs} ms`);
  }
}

/**
 * Thrown by a partition handler to say which message of the batch failed: the messages before
 * `index` are acknowledged, the failed one counts a failed delivery, the rest are redelivered.
 */
export class MessageFailedError extends BusError {
  override readonly name = "MessageFailedError";

  constructor(
    readonly index: number,
    options?: ErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`message ${index} of the batch failed${reason}`, options);
  }
}

/** A stream or consumer is gone (deleted, or the server lost its state); it will be recreated. */
export class ResourceMissingError extends BusError {
  override readonly name = "ResourceMissingError";
}

/** A conditional publish found a different last sequence on its subject. */
export class ExpectationFailedError extends BusError {
  override readonly name = "ExpectationFailedError";
}

/** True for errors that say "try again later" (`retryable: true`), this package's or the caller's. */
export function isRetryable(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === true
  );
}

/** The message of any thrown value, on one line. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/[\r\n]+/g, " ").slice(0, 1000);
}
