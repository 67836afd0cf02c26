import type { FieldType } from "@tidings/protocol/wire";

export { FIELD_TYPES, RULE_NAMES, type RuleName } from "@tidings/protocol/wire";

/** A field of a collection, as `/api/collections` shows it. */
export interface Field {
  name: string;
  type: FieldType;
  required?: boolean;
  hidden?: boolean;
  collection?: string;
  multiple?: boolean;
}

/** A collection definition, as `/api/collections` shows it. */
export interface Collection {
  id?: string;
  name: string;
  type: "base" | "external";
  fields: Field[];
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  realtime: boolean;
}

/** A new collection's starting point: no fields, every rule closed to all but superusers. */
export function blankCollection(): Collection {
  return {
    name: "",
    type: "base",
    fields: [],
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    realtime: true,
  };
}

/** What the API takes on create or update: the definition without its id. */
export function collectionBody(collection: Collection): Omit<Collection, "id"> {
  const { id: _id, ...body } = collection;
  return body;
}
