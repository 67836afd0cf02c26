export type { BroadcastSender, Topic, TopicEvents } from "./broadcast.ts";
export {
  type ClientEvents,
  type ClientOptions,
  createClient,
  type TidingsClient,
} from "./client.ts";
export type { CollectionRef } from "./collection.ts";
export type { ConnectionState } from "./connection.ts";
export {
  ERROR_CODE_LIST,
  type ErrorCode,
  hasCode,
  isAccountDisabled,
  isConflict,
  isForbidden,
  isInternal,
  isInvalidCredentials,
  isInvalidFilter,
  isInvalidJson,
  isInvalidMessage,
  isInvalidRule,
  isInvalidSort,
  isLimitExceeded,
  isMethodNotAllowed,
  isNotFound,
  isPayloadTooLarge,
  isRateLimited,
  isResyncRequired,
  isSlowConsumer,
  isTokenRevoked,
  isUnauthorized,
  isUnavailable,
  isUnsupportedMediaType,
  isValidationFailed,
  TidingsError,
} from "./errors.ts";
export type { PresenceEvents, PresenceRoom } from "./presence.ts";
export type { Change, RecordRef, SubscribeOptions, Subscription } from "./subscription.ts";
export type { CloseNotice, ExpiringNotice, PresenceMember } from "./wire.ts";
