export type { ClientsAnswer, ClientView, ClusterView, DeadLetterView } from "./admin-views.ts";
export {
  CHANGE_EVENT_HEADERS,
  CHANGE_EVENT_VERSION,
  type ChangeEventMessage,
  changeEventSchema,
  decodeChangeEvent,
  encodeChangeEvent,
  InvalidChangeEventError,
} from "./change-event.ts";
export { DELIVERY_META_FLAG, type DeliveryMeta } from "./delivery-meta.ts";
export { PUBLISHER_PROTO_PATH } from "./proto-files.ts";
export {
  decodeSubscriptionDelta,
  deliveryExtra,
  encodeAddDeltas,
  encodeSubscriptionDelta,
  FILTER_SYNTAXES,
  type FilterSyntax,
  type SubscriptionDelta,
  type SubscriptionSpec,
  subscriptionDeltaSchema,
  subscriptionSpecSchema,
} from "./subscription.ts";
export { type ErrorBody, errorBody, TidingsError } from "./tidings-error.ts";
// What a client sees: the changes it receives and the error codes (also `@tidings/protocol/wire`).
export * from "./wire.ts";
