export type { BusDeps } from "./bus.ts";
export type { BusConfig, RetentionConfig } from "./config.ts";
export { DLQ_HEADERS } from "./dead-letter.ts";
export {
  BarrierTimeoutError,
  BusConfigError,
  BusError,
  BusStateError,
  BusUnavailableError,
  ExpectationFailedError,
  isRetryable,
  MessageFailedError,
  UnknownSubjectError,
} from "./errors.ts";
export { createJetStreamBus, type JetStreamBusConfig } from "./jetstream/jetstream-bus.ts";
export type { NatsSecurity } from "./jetstream/jetstream-connection.ts";
export { MemoryBroker } from "./memory/memory-broker.ts";
export { createMemoryBus, type MemoryBusDeps } from "./memory/memory-bus.ts";
export { partitionOf } from "./naming.ts";
export { extractTraceContext, injectTraceContext } from "./trace.ts";
export type {
  Bus,
  BusLogger,
  BusMessage,
  BusRecord,
  BusStreamInfo,
  BusStreamKind,
  BusSubjects,
  ConsumeOptions,
  DeadLetters,
  Lifecycle,
  ParkedMessage,
  PartitionConsumer,
  PartitionHandler,
  PartitionLag,
  PublishAck,
  PublishOptions,
  ReadOptions,
  Tail,
  TailHandler,
} from "./types.ts";
