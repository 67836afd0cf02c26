export {
  CHANGE_EVENT_HEADERS,
  CHANGE_EVENT_VERSION,
  type ChangeEventMessage,
  changeEventSchema,
  decodeChangeEvent,
  encodeChangeEvent,
  InvalidChangeEventError,
} from "./change-event.ts";
export {
  CHANGE_ACTIONS,
  type ChangeAction,
  type ChangePayload,
  SERVER_EVENTS,
} from "./change-payload.ts";
export { ERROR_CODES, type ErrorCode, isErrorCode } from "./error-codes.ts";
export { PUBLISHER_PROTO_PATH } from "./proto-files.ts";
export {
  decodeSubscriptionDelta,
  deliveryExtra,
  encodeAddDeltas,
  encodeSubscriptionDelta,
  FILTER_SYNTAXES,
  type FilterSyntax,
  SUBSCRIBABLE_ACTIONS,
  type SubscribableAction,
  type SubscriptionDelta,
  type SubscriptionSpec,
  subscriptionDeltaSchema,
  subscriptionSpecSchema,
} from "./subscription.ts";
export { type ErrorBody, errorBody, TidingsError } from "./tidings-error.ts";
