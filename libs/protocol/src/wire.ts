// What a client of the realtime protocol sees: the changes it receives and the codes it may be
// refused with. Free of zod and of Node, so that the client SDK's published types can carry it
// inlined (libs/client's build) without the schemas the services validate with.
export {
  CHANGE_ACTIONS,
  type ChangeAction,
  type ChangePayload,
  SERVER_EVENTS,
  SUBSCRIBABLE_ACTIONS,
  type SubscribableAction,
} from "./change-payload.ts";
export { FIELD_TYPES, type FieldType, RULE_NAMES, type RuleName } from "./collection-shape.ts";
export { ERROR_CODES, type ErrorCode, isErrorCode } from "./error-codes.ts";
