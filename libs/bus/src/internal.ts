// For this package's tests and sibling libraries; not a stable API.

export { createTransportBus } from "./bus.ts";
export { backoffDelay, resolveBusConfig, resolveConsumeOptions } from "./config.ts";
export { ExpectationFailedError, ResourceMissingError } from "./errors.ts";
export * from "./index.ts";
export { fromNatsError } from "./jetstream/jetstream-errors.ts";
export { JetStreamTransport } from "./jetstream/jetstream-transport.ts";
export { MemoryTransport } from "./memory/memory-transport.ts";
export { subjectMatches } from "./memory/subject-match.ts";
export { type BusNames, busNames } from "./naming.ts";
export type * from "./transport.ts";
