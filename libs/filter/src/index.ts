export { analyzeFilter, type FilterAnalysis, type FilterEquality } from "./analyze.ts";
export type {
  ComparisonNode,
  FilterAst,
  FilterNode,
  LikeSyntax,
  Modifier,
  OperandNode,
  Operator,
} from "./ast.ts";
export type { CheckedFilter } from "./checked.ts";
export { type CheckOptions, checkFilter } from "./checker.ts";
export { compile, type FilterPredicate } from "./compile.ts";
export { canonicalDate, MACRO_NAMES, type MacroName, parseDate } from "./dates.ts";
export {
  FILTER_ERROR_CODES,
  FilterError,
  type FilterErrorCode,
  isFilterError,
} from "./errors.ts";
export { parseFastSchemaFilter } from "./fastschema-parser.ts";
export { type FluxbaseFilterOptions, parseFluxbaseFilter } from "./fluxbase-parser.ts";
export {
  type CollectionRules,
  type GroupCondition,
  type GroupInput,
  groupCondition,
  groupKeyOf,
} from "./group-key.ts";
export { FILTER_LIMITS, type FilterLimits, MAX_SORT_TERMS } from "./limits.ts";
export { parseFilter } from "./parser.ts";
export type {
  AuthRecord,
  CollectionSchema,
  FieldSchema,
  FieldType,
  JsonValue,
  RecordData,
  RequestContext,
  RequestData,
  RequestPart,
} from "./schema.ts";
export { compileSort, parseSort, type SortOptions, type SortTerm, sortToSql } from "./sort.ts";
export { type SqlContext, toSql } from "./sql.ts";
export {
  type ChangeEvent,
  type GroupMatch,
  type MatchChange,
  type Subscription,
  type SubscriptionGroup,
  SubscriptionIndex,
  type SubscriptionIndexOptions,
} from "./subscription-index.ts";
