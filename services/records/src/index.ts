export { buildApp, type RecordsAppDeps, type RecordsAppOptions } from "./app.ts";
export { loadConfig, type RecordsConfig, recordsEnv } from "./config.ts";
export {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
} from "./outbox/outbox-relay.ts";
export { type InternalPublish, startInternalPublish } from "./publish/internal-publish.ts";
export {
  loadPublisher,
  PUBLISHER_LOADER_OPTIONS,
  type PublishBatchRequestMessage,
  type PublishRequestMessage,
} from "./publish/publisher-proto.ts";
export type { Requester } from "./records/record-access.ts";
export {
  type ExpandPlan,
  type ExpandTree,
  expandRecords,
  parseExpand,
  resolveExpand,
} from "./records/record-expand.ts";
export { type FieldsPick, parseFields, pickFields } from "./records/record-fields.ts";
export { recordsPlugin } from "./records-plugin.ts";
export { createSharedCaches, followChanges, type SharedCaches } from "./shared-caches.ts";
export { needsSuperuser, type RunningRecords, startRecords } from "./start-records.ts";
