/** For tests and sibling libraries that need to look inside checked filters. */
export { type BoundValues, bindValues } from "./bind.ts";
export { canonicalNode } from "./canonical.ts";
export type {
  CheckedComparison,
  CheckedNode,
  CheckedOperand,
  Quantifier,
  StaticType,
  ValueRef,
} from "./checked.ts";
export { testComparison } from "./semantics.ts";
