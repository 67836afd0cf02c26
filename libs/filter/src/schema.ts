/** A value as stored in a record: anything JSON can hold. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** The types a collection field can have. */
export type FieldType = "text" | "number" | "bool" | "date" | "json" | "relation";

/** One field of a collection, as the collection's definition stores it. */
export interface FieldSchema {
  name: string;
  type: FieldType;
  /** Hidden fields are left out of responses; only rules (not client filters) may read them. */
  hidden?: boolean;
  /** Relation fields only: the value is an array of record ids. */
  multiple?: boolean;
}

/** The fields of one collection (system fields `id`, `created`, `updated` are implied). */
export interface CollectionSchema {
  fields: readonly FieldSchema[];
}

/** A record in memory: `{id, created, updated, ...fields}`; dates are canonical UTC ISO strings. */
export type RecordData = Readonly<Record<string, unknown>>;

/** The authenticated user's record, or null when anonymous. */
export type AuthRecord = Readonly<Record<string, unknown>> | null;

/** Where a rule is being evaluated: `@request.context`. */
export type RequestContext = "default" | "realtime";

/** The parts of a request that rules read by name: `@request.body.*`, `.query.*`, `.headers.*`. */
export type RequestPart = "body" | "query" | "headers";

/**
 * The write request a create, update or delete rule judges. Strings must be storable (no NUL, no
 * unpaired surrogate), as PostgreSQL compares them.
 */
export interface RequestData {
  /** The HTTP method in upper case: `POST`, `PATCH`, `DELETE` (`@request.method`). */
  method: string;
  /** The submitted field values as validated; a field was submitted when it is an own key. */
  body: Readonly<Record<string, unknown>>;
  /** The first value of each query parameter. */
  query: Readonly<Record<string, string>>;
  /** The first value of each header, by name lowercased with `-` as `_` (`x_token`). */
  headers: Readonly<Record<string, string>>;
}

/** The columns of the `records` table that are not stored inside `data`. */
export type SystemColumn = "id" | "created" | "updated";

const SYSTEM_FIELDS: Readonly<Record<SystemColumn, FieldSchema>> = {
  id: { name: "id", type: "text" },
  created: { name: "created", type: "date" },
  updated: { name: "updated", type: "date" },
};

/** True for the names of the system columns. */
export function isSystemColumn(name: string): name is SystemColumn {
  return name === "id" || name === "created" || name === "updated";
}

/** Field names are identifiers: a letter or `_`, then letters, digits or `_`. */
export function isFieldName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/**
 * Looks a field up by name, system fields included. Hidden fields are reported as absent unless
 * `allowHidden`, so that a client cannot tell a hidden field from a missing one.
 */
export function findField(
  schema: CollectionSchema,
  name: string,
  allowHidden: boolean,
): FieldSchema | undefined {
  if (isSystemColumn(name)) return SYSTEM_FIELDS[name];
  const field = schema.fields.find((candidate) => candidate.name === name);
  if (field === undefined || (field.hidden === true && !allowHidden)) return undefined;
  return field;
}
