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
export { recordsPlugin } from "./records-plugin.ts";
export {
  needsSuperuser,
  type RecordsStartOptions,
  type RunningRecords,
  startRecords,
} from "./start-records.ts";
