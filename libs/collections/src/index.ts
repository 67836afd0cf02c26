export {
  type CollectionDef,
  type CollectionRow,
  collectionFromRow,
  FIELD_TYPES,
  type FieldDef,
  type FieldType,
  fieldSchema,
  fieldsSchema,
  isObjectName,
  MAX_FIELDS,
  MAX_RULE_LENGTH,
  nameSchema,
  RULE_NAMES,
  type RuleName,
  ruleSchema,
  SYSTEM_FIELDS,
} from "./collection.ts";
export { CollectionCatalog, type KnownCollection } from "./collection-catalog.ts";
export {
  type CompiledRule,
  type CompiledRules,
  compileClientFilter,
  compileClientSort,
  compileRule,
  compileRules,
  filterSchemaOf,
} from "./collection-rules.ts";
export { type DeliveryPreferences, deliveryFor, preferencesOf } from "./delivery.ts";
export { findCollection } from "./find-collection.ts";
export { projectRecord, type RecordJson, type StoredRecord, toRecordJson } from "./record-shape.ts";
export {
  filterCondition,
  type Gate,
  gateAllows,
  gateConditions,
  gateFor,
  type Requester,
} from "./records/record-access.ts";
export {
  type ExpandPlan,
  type ExpandTree,
  expandRecords,
  parseExpand,
  resolveExpand,
} from "./records/record-expand.ts";
export { type FieldsPick, parseFields, pickFields } from "./records/record-fields.ts";
export { findRecord, listRecords, type SqlCondition } from "./records/record-queries.ts";
export { SqlParams } from "./records/sql-params.ts";
export { USERS_COLLECTION, userRecord } from "./records/user-records.ts";
export { createSharedCaches, followChanges, type SharedCaches } from "./shared-caches.ts";
export {
  channelOf,
  compileSubscriptionFilter,
  groupInputOf,
  realtimeRules,
  ruleAllowsAny,
} from "./subscription-groups.ts";
export { rowFromSpec, specFromRow } from "./subscription-rows.ts";
export {
  buildSubscriptionSpec,
  type Subscriber,
  type SubscriptionRequest,
} from "./subscription-spec.ts";
