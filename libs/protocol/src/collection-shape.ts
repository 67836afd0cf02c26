// The vocabulary of a collection definition as the REST API takes and shows it: the services
// validate with it, and the admin console builds its editors from it.

/** The value types a field can hold. */
export const FIELD_TYPES = ["text", "number", "bool", "date", "json", "relation"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The five rules of a collection, by the action they guard. */
export const RULE_NAMES = [
  "listRule",
  "viewRule",
  "createRule",
  "updateRule",
  "deleteRule",
] as const;
export type RuleName = (typeof RULE_NAMES)[number];
